import { describe, expect, it } from 'vitest';
import { errorKind, errorMessage, failureHint, failureLocation, failureReport } from '../src/runs/failure';

const context = { completed: new Set(['start']), nodes: new Set(['start', 'lookup', 'add']) };

describe('error overlay: kinds and hints', () => {
  it('leads with the innermost cause and its kind', () => {
    const error = { message: 'request failed', cause: { type: 'HttpServerError', message: 'answered 503 Service Unavailable' } };
    expect(errorKind(error)).toBe('HttpServerError');
    expect(errorMessage(error)).toBe('answered 503 Service Unavailable');
    expect(errorKind({ message: 'x' })).toBe('Error');
  });

  it('gives a plain-language hint for the common kinds', () => {
    expect(failureHint({ message: 'x', cause: { type: 'HttpTargetBlocked', message: 'refused http://127.0.0.1:80' } }, context)).toMatch(/network policy/);
    expect(failureHint({ message: 'x', cause: { type: 'HttpTimeout', message: 'no answer within 5000 ms' } }, context)).toMatch(/did not answer in time/);
    expect(failureHint({ message: 'x', cause: { type: 'HttpClientError', message: 'answered 404' } }, context)).toMatch(/not 2xx/);
    expect(failureHint({ message: 'response body is not JSON: Unexpected token <' }, context)).toMatch(/not JSON/);
    expect(
      failureHint({ message: 'x', cause: { type: 'ExpressionError', message: 'nodes.lookup.total: cannot be undefined (at character 5)' } }, context),
    ).toMatch(/reads nodes\.lookup, but that node had not run/);
    expect(
      failureHint(
        { message: 'x', cause: { type: 'ExpressionError', message: 'The left side of the "+" operator must evaluate to a number (at character 9)' } },
        context,
      ),
    ).toMatch(/missing \(or of another type\)/);
    expect(failureHint({ message: 'something odd', cause: { type: 'Error', message: 'odd' } }, context)).toBeNull();
  });
});

describe('error overlay: where in the config', () => {
  it('highlights the failing part of an expression field where JSONata points (the operator, the function call)', () => {
    // Messages and positions as compileExpression reports them for these expressions.
    const operator = failureLocation(
      'transform',
      { expression: "{ 'total': input.a + input.b }" },
      { message: 'x', cause: { type: 'ExpressionError', message: 'The right side of the "+" operator must evaluate to a number (at character 20)' } },
    );
    expect(operator).toMatchObject({ path: 'expression', start: 19, end: 20 });
    const call = failureLocation(
      'set',
      { variables: { name: 'nodes.x.y.$uppercase()' } },
      {
        message: 'x',
        cause: { type: 'ExpressionError', message: 'Context value is not a compatible type with argument 1 of function "uppercase" (at character 21)' },
      },
    );
    expect(call).toMatchObject({ path: 'variables.name' });
    expect(call!.text.slice(call!.start, call!.end)).toBe('nodes.x.y.$uppercase');
  });

  it('finds the template part a template error names', () => {
    const location = failureLocation(
      'http.request',
      { method: 'GET', url: 'https://example.com/{{ input.id.x }}', headers: {} },
      { message: 'x', cause: { type: 'ExpressionError', message: 'in {{ input.id.x }}: bad (at character 23)' } },
    );
    expect(location).toMatchObject({ path: 'url', start: 23 });
    expect(location!.text.slice(location!.start, location!.end)).toBe('input.id.x');
  });

  it('says nothing when the error names no place', () => {
    expect(failureLocation('http.request', { url: 'https://example.com' }, { message: 'answered 500' })).toBeNull();
    // An HTTP status is no fault of the body expression, though the node has one.
    const refused = { message: 'x', cause: { type: 'HttpClientError', message: 'HTTP 404 from POST https://example.com/chrage' } };
    expect(failureLocation('http.request', { url: 'https://example.com/chrage', bodyExpression: "{ 'order': input.order }" }, refused)).toBeNull();
  });
});

describe('error overlay: the report', () => {
  it('is Markdown with the run, the node, the error, the attempts and the input', () => {
    const report = failureReport({
      runUrl: 'https://tandem.example/runs/r1',
      executionId: 'r1',
      workflowName: 'Billing',
      version: 3,
      nodeId: 'call',
      nodeType: 'http.request',
      error: { message: 'request failed', cause: { type: 'HttpServerError', message: 'answered 503' } },
      input: { id: 7 },
      attempts: [{ attempt: 1, at: '2026-01-01T00:00:00.000Z', sequence: 5, error: { message: 'answered 503' } }],
      hint: 'try again',
    });
    expect(report).toContain('### Run failed at node `call` (http.request)');
    expect(report).toContain('[r1](https://tandem.example/runs/r1)');
    expect(report).toContain('Billing, version 3');
    expect(report).toContain('- Kind: `HttpServerError`');
    expect(report).toContain('- attempt 1 at 2026-01-01T00:00:00.000Z: answered 503');
    expect(report).toContain('"id": 7');
  });
});
