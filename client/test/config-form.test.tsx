import { fireEvent, render, screen } from '@solidjs/testing-library';
import { describe, expect, it, vi } from 'vitest';
import { getNodeType, type NodeTypeDefinition } from '@tandem/schema';
import { ConfigForm, fieldsOf, fieldSyntaxError } from '../src/editor/ConfigForm';

const type = (name: string) => getNodeType(name) as NodeTypeDefinition<object>;

describe('config forms generated from the node catalogue', () => {
  it('reads field kinds from the zod schema', () => {
    const fields = Object.fromEntries(fieldsOf(type('http.request')).map((f) => [f.name, f]));
    expect(fields.method?.kind).toBe('enum');
    expect(fields.method?.options).toContain('POST');
    expect(fields.url?.kind).toBe('template');
    expect(fields.url?.required).toBe(true);
    expect(fields.bodyExpression?.kind).toBe('expression');
    expect(fields.timeoutMs?.kind).toBe('number');
    expect(fields.failOnHttpError?.kind).toBe('boolean');
    expect(fields.headers?.kind).toBe('json');
    expect(fieldsOf(type('wait.signal')).find((f) => f.name === 'signal')?.kind).toBe('text');
  });

  it('labels fields in words, with units and acronyms as people write them', () => {
    const labels = Object.fromEntries(fieldsOf(type('http.request')).map((f) => [f.name, f.label]));
    expect(labels.url).toBe('URL');
    expect(labels.timeoutMs).toBe('Timeout (ms)');
    expect(labels.bodyExpression).toBe('Body expression');
    expect(labels.failOnHttpError).toBe('Fail on HTTP error');
  });

  it('shows expression parse errors as you type and writes each field', async () => {
    const onChange = vi.fn();
    render(() => <ConfigForm nodeId="t" nodeType={type('transform')} config={{}} readOnly={false} problems={() => []} onChange={onChange} />);
    const input = screen.getByLabelText(/^Expression/) as HTMLTextAreaElement;
    fireEvent.input(input, { target: { value: 'input.a +' } });
    expect(onChange).toHaveBeenLastCalledWith('expression', 'input.a +');
    expect(document.querySelector('.field-error')?.textContent).not.toBe('');
    fireEvent.input(input, { target: { value: 'input.a + 1' } });
    expect(document.querySelector('.field-error')?.textContent).toBe('');
    expect(fieldSyntaxError('template', 'hello {{ input.name ')).not.toBe('');
    expect(fieldSyntaxError('template', 'hello {{ input.name }}')).toBe('');
  });

  it('shows the validation problems of a field and is read-only for viewers', () => {
    render(() => (
      <ConfigForm
        nodeId="w"
        nodeType={type('wait.signal')}
        config={{ signal: '1bad' }}
        readOnly
        problems={(f) => (f === 'signal' ? ['signal must be a name'] : [])}
        onChange={() => {}}
      />
    ));
    const input = screen.getByLabelText(/^Signal/) as HTMLInputElement;
    expect(input.readOnly).toBe(true);
    expect(screen.getByText('signal must be a name')).toBeTruthy();
  });
});
