import type { JsonValue } from '@tandem/schema';
import type { TemplateParameter } from '../db/entities.js';

/**
 * A parameter of a built-in template. Like any template parameter it fills the workflow's
 * `params.<name>`; `fills` also writes the value into node config fields that are literal
 * numbers or text rather than expressions (a timeout, a cron line, a webhook path, a retry
 * policy), each named `<nodeId>.<field>[.<field>…]`.
 */
export interface BuiltInParameter extends TemplateParameter {
  fills?: string[];
}

export interface BuiltInNode {
  id: string;
  type: string;
  name?: string;
  position: { x: number; y: number };
  config: Record<string, JsonValue>;
}

export interface BuiltInEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string;
}

/** One template of the library Tandem ships: a `tandem.workflow/v1` definition and its parameters. */
export interface BuiltInTemplate {
  /** Stable, part of the template's id (`builtin:<slug>`). */
  slug: string;
  name: string;
  description: string;
  tags: string[];
  parameters: BuiltInParameter[];
  definition: {
    format: 'tandem.workflow/v1';
    name: string;
    description: string;
    params: Record<string, JsonValue>;
    nodes: BuiltInNode[];
    edges: BuiltInEdge[];
  };
}

/** A parameter with the usual defaults spelled out. */
export function param(
  name: string,
  type: TemplateParameter['type'],
  description: string,
  options: { required?: boolean; default?: JsonValue; fills?: string[] } = {},
): BuiltInParameter {
  return {
    name,
    type,
    required: options.required ?? false,
    description,
    default: options.default ?? null,
    ...(options.fills ? { fills: options.fills } : {}),
  };
}

/** Edges written as `[source, target]` or `[source, target, sourceHandle]`, ids e1, e2, … */
export function edges(...list: Array<[string, string] | [string, string, string]>): BuiltInEdge[] {
  return list.map(([source, target, sourceHandle], i) => ({ id: `e${i + 1}`, source, target, ...(sourceHandle ? { sourceHandle } : {}) }));
}
