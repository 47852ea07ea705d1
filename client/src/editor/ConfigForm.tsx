import { createMemo, createSignal, For, Match, Show, Switch } from 'solid-js';
import { z } from 'zod';
import { checkExpression, checkTemplate, fieldKindByName, isTemplate, type FieldKind, type NodeTypeDefinition } from '@tandem/schema';

/** One form field, read from the JSON Schema of a node type's zod config schema. */
export interface FieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'expression' | 'template' | 'number' | 'boolean' | 'enum' | 'json';
  required: boolean;
  description?: string;
  options?: string[];
  defaultValue?: unknown;
  min?: number;
  max?: number;
  integer?: boolean;
}

type JsonSchema = Record<string, unknown>;

const cache = new Map<string, FieldSpec[]>();

const WORDS: Record<string, string> = { url: 'URL', http: 'HTTP', https: 'HTTPS', id: 'ID', json: 'JSON', ms: '(ms)' };

/** A config field's name in words, sentence case: `timeoutMs` → "Timeout (ms)", `url` → "URL". */
function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_]+/)
    .filter(Boolean)
    .map((word) => WORDS[word.toLowerCase()] ?? word.toLowerCase());
  const sentence = words.join(' ');
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** The fields of a node type's config form, generated from its zod schema (input side: defaults optional). */
export function fieldsOf(nodeType: NodeTypeDefinition<object>): FieldSpec[] {
  const cached = cache.get(nodeType.type);
  if (cached) return cached;
  let schema: JsonSchema = {};
  try {
    schema = z.toJSONSchema(nodeType.config as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    schema = {};
  }
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const fieldKind = (name: string): FieldKind => (nodeType.fieldKind ?? fieldKindByName)([name]);
  const fields = Object.entries(properties).map(([name, property]): FieldSpec => {
    const type = property.type;
    let kind: FieldSpec['kind'] = 'json';
    if (Array.isArray(property.enum) && property.enum.every((v) => typeof v === 'string')) kind = 'enum';
    else if (type === 'string') kind = fieldKind(name) === 'expression' ? 'expression' : fieldKind(name) === 'template' ? 'template' : 'text';
    else if (type === 'number' || type === 'integer') kind = 'number';
    else if (type === 'boolean') kind = 'boolean';
    const spec: FieldSpec = { name, label: humanize(name), kind, required: required.has(name) };
    if (typeof property.description === 'string') spec.description = property.description;
    if (kind === 'enum') spec.options = property.enum as string[];
    if ('default' in property) spec.defaultValue = property.default;
    if (typeof property.minimum === 'number') spec.min = property.minimum;
    if (typeof property.maximum === 'number') spec.max = property.maximum;
    if (type === 'integer') spec.integer = true;
    return spec;
  });
  cache.set(nodeType.type, fields);
  return fields;
}

/** The parse error of an expression or template as you type, or ''. */
export function fieldSyntaxError(kind: FieldSpec['kind'], value: string): string {
  if (!value) return '';
  if (kind === 'expression') return checkExpression(value)?.message ?? '';
  if (kind === 'template' && isTemplate(value)) return checkTemplate(value)?.message ?? '';
  return '';
}

export interface ConfigFormProps {
  nodeId: string;
  nodeType: NodeTypeDefinition<object>;
  config: Record<string, unknown>;
  readOnly: boolean;
  /** Validation problems by field name (from validateWorkflow). */
  problems: (field: string) => string[];
  onChange: (field: string, value: unknown) => void;
}

export function ConfigForm(props: ConfigFormProps) {
  const fields = createMemo(() => fieldsOf(props.nodeType));
  return (
    <div class="config-form">
      <Show when={fields().length === 0}>
        <p class="hint">This node has no settings.</p>
      </Show>
      <For each={fields()}>{(field) => <Field field={field} {...props} />}</For>
    </div>
  );
}

function Field(props: ConfigFormProps & { field: FieldSpec }) {
  const id = () => `field-${props.nodeId}-${props.field.name}`;
  const value = () => props.config[props.field.name];
  const [draft, setDraft] = createSignal<string | null>(null);
  const [localError, setLocalError] = createSignal('');
  const text = () => draft() ?? (typeof value() === 'string' ? (value() as string) : value() === undefined ? '' : JSON.stringify(value(), null, 2));
  const syntax = () => fieldSyntaxError(props.field.kind, text());
  const errors = () => [...(localError() ? [localError()] : []), ...(syntax() ? [syntax()] : []), ...props.problems(props.field.name)];
  const describedBy = () => `${id()}-hint ${id()}-error`;
  const placeholder = () =>
    props.field.defaultValue !== undefined ? `default: ${JSON.stringify(props.field.defaultValue)}` : props.field.required ? '' : 'optional';

  const commitText = (raw: string) => {
    setDraft(raw);
    if (raw === '' && !props.field.required) props.onChange(props.field.name, undefined);
    else props.onChange(props.field.name, raw);
  };
  const commitNumber = (raw: string) => {
    setLocalError('');
    if (raw.trim() === '') {
      props.onChange(props.field.name, undefined);
      return;
    }
    const n = Number(raw);
    if (!Number.isFinite(n)) setLocalError('enter a number');
    else props.onChange(props.field.name, n);
  };
  const commitJson = (raw: string) => {
    setDraft(raw);
    if (raw.trim() === '') {
      setLocalError('');
      props.onChange(props.field.name, undefined);
      return;
    }
    try {
      const parsed: unknown = JSON.parse(raw);
      setLocalError('');
      props.onChange(props.field.name, parsed);
    } catch (e) {
      setLocalError(`not valid JSON: ${(e as Error).message}`);
    }
  };

  return (
    <div class="field" classList={{ 'has-error': errors().length > 0 }}>
      <Switch>
        <Match when={props.field.kind === 'boolean'}>
          <label class="checkbox">
            <input
              id={id()}
              type="checkbox"
              checked={value() === undefined ? props.field.defaultValue === true : value() === true}
              disabled={props.readOnly}
              onChange={(e) => props.onChange(props.field.name, e.currentTarget.checked)}
              aria-describedby={describedBy()}
            />
            {props.field.label}
          </label>
        </Match>
        <Match when={true}>
          <label for={id()}>
            {props.field.label}
            <Show when={props.field.required}>
              <span class="required"> (required)</span>
            </Show>
            <Show when={props.field.kind === 'expression'}>
              <span class="hint"> JSONata</span>
            </Show>
          </label>
          <Switch>
            <Match when={props.field.kind === 'enum'}>
              <select
                id={id()}
                disabled={props.readOnly}
                value={(value() as string | undefined) ?? (props.field.defaultValue as string | undefined) ?? ''}
                onChange={(e) => props.onChange(props.field.name, e.currentTarget.value || undefined)}
                aria-describedby={describedBy()}
              >
                <Show when={props.field.defaultValue === undefined}>
                  <option value="">Choose…</option>
                </Show>
                <For each={props.field.options}>{(option) => <option value={option}>{option}</option>}</For>
              </select>
            </Match>
            <Match when={props.field.kind === 'number'}>
              <input
                id={id()}
                type="number"
                step={props.field.integer ? 1 : 'any'}
                min={props.field.min}
                max={props.field.max}
                placeholder={placeholder()}
                value={typeof value() === 'number' ? String(value()) : ''}
                readOnly={props.readOnly}
                onChange={(e) => commitNumber(e.currentTarget.value)}
                aria-describedby={describedBy()}
                aria-invalid={errors().length > 0}
              />
            </Match>
            <Match when={props.field.kind === 'expression' || props.field.kind === 'json'}>
              <textarea
                id={id()}
                class="code"
                rows={props.field.kind === 'json' ? 4 : 2}
                spellcheck={false}
                placeholder={placeholder()}
                value={text()}
                readOnly={props.readOnly}
                onInput={(e) => (props.field.kind === 'json' ? commitJson(e.currentTarget.value) : commitText(e.currentTarget.value))}
                onBlur={() => !localError() && setDraft(null)}
                aria-describedby={describedBy()}
                aria-invalid={errors().length > 0}
              />
            </Match>
            <Match when={true}>
              <input
                id={id()}
                placeholder={placeholder()}
                value={text()}
                readOnly={props.readOnly}
                spellcheck={false}
                onInput={(e) => commitText(e.currentTarget.value)}
                onBlur={() => setDraft(null)}
                aria-describedby={describedBy()}
                aria-invalid={errors().length > 0}
              />
            </Match>
          </Switch>
        </Match>
      </Switch>
      <Show when={props.field.description}>
        <p class="hint" id={`${id()}-hint`}>
          {props.field.description}
        </p>
      </Show>
      <p class="field-error" id={`${id()}-error`} aria-live="polite">
        {errors().join('; ')}
      </p>
    </div>
  );
}
