import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { NODE_TYPE_NAMES, buildWorkflowJsonSchema } from '@tandem/schema';

const committedPath = new URL('../workflow.schema.json', import.meta.url);

interface Rule {
  if: { properties: { type: { const: string } }; required: string[] };
  then: { properties: { config: Record<string, unknown> & { required?: string[]; properties: Record<string, Record<string, unknown>> } }; required?: string[] };
}

function nodeItems(schema: Record<string, unknown>): { properties: Record<string, Record<string, unknown>>; allOf: Rule[] } {
  const properties = schema.properties as Record<string, { items: unknown }>;
  return properties.nodes!.items as { properties: Record<string, Record<string, unknown>>; allOf: Rule[] };
}

function configRule(schema: Record<string, unknown>, type: string): Rule {
  const rule = nodeItems(schema).allOf.find((r) => r.if.properties.type.const === type);
  if (!rule) throw new Error(`no rule for ${type}`);
  return rule;
}

describe('workflow.schema.json', () => {
  it('is up to date with the zod schemas', () => {
    const committed = JSON.parse(readFileSync(committedPath, 'utf8')) as unknown;
    expect(committed, 'schema/workflow.schema.json is out of date: run `npm run schema:generate`').toEqual(buildWorkflowJsonSchema());
  });

  it('is written pretty-printed with a trailing newline', () => {
    const text = readFileSync(committedPath, 'utf8');
    expect(text, 'run `npm run schema:generate`').toBe(`${JSON.stringify(buildWorkflowJsonSchema(), null, 2)}\n`);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(buildWorkflowJsonSchema())).toBe(JSON.stringify(buildWorkflowJsonSchema()));
  });

  it('describes the document envelope', () => {
    const schema = buildWorkflowJsonSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['format', 'name', 'nodes', 'edges']);
    expect(schema.additionalProperties).toBe(false);
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    expect(properties.format).toEqual({ type: 'string', const: 'tandem.workflow/v1' });
    expect(properties.nodes!.maxItems).toBe(2000);
    expect(properties.edges!.maxItems).toBe(10_000);
    expect(properties.params!.additionalProperties).toEqual({ $ref: '#/$defs/JsonValue' });
    expect(Object.keys(schema.$defs as object)).toEqual(['JsonValue']);
  });

  it('restricts node types to the catalogue', () => {
    const items = nodeItems(buildWorkflowJsonSchema());
    expect(items.properties.type!.enum).toEqual(NODE_TYPE_NAMES);
    expect(items.allOf.map((r) => r.if.properties.type.const)).toEqual(NODE_TYPE_NAMES);
  });

  it("checks each node's config against its type, with defaulted fields optional", () => {
    const schema = buildWorkflowJsonSchema();
    const http = configRule(schema, 'http.request');
    expect(http.if).toEqual({ properties: { type: { const: 'http.request' } }, required: ['type'] });
    expect(http.then.required).toEqual(['config']);
    const config = http.then.properties.config;
    expect(config.title).toBe('HTTP request');
    expect(config.required).toEqual(['url']);
    expect(config.additionalProperties).toBe(false);
    expect(config.properties.method).toEqual({ default: 'GET', type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] });
    expect(config.properties.timeoutMs).toMatchObject({ type: 'integer', minimum: 100, maximum: 300_000, default: 30_000 });

    const delay = configRule(schema, 'delay').then.properties.config;
    expect(delay.properties.durationMs).toMatchObject({ type: 'integer', minimum: 0 });

    const manual = configRule(schema, 'trigger.manual');
    expect(manual.then.required).toBeUndefined();
    expect(manual.then.properties.config).toMatchObject({ type: 'object', properties: {}, additionalProperties: false });

    const switchCases = configRule(schema, 'switch').then.properties.config.properties.cases as { items: { properties: { value: unknown } } };
    expect(switchCases.items.properties.value).toEqual({ $ref: '#/$defs/JsonValue' });
  });
});
