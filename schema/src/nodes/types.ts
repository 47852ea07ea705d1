import type { z } from 'zod';
import type { JsonObject } from '../json.js';
import type { Problem } from '../problems.js';
import type { WorkflowEdge, WorkflowNode } from '../format.js';

export type NodeCategory = 'trigger' | 'data' | 'logic' | 'flow' | 'integration';

/** How a string inside a node's config is read. */
export type FieldKind = 'expression' | 'template' | 'literal';

export type ConfigPath = ReadonlyArray<string | number>;

/** What a node type's graph check can see of the workflow. */
export interface GraphView {
  node(id: string): WorkflowNode | undefined;
  outgoing(id: string): readonly WorkflowEdge[];
  incoming(id: string): readonly WorkflowEdge[];
  /** Node ids reachable from `from` without passing through `stopAt`. */
  reachable(from: string, stopAt?: string): ReadonlySet<string>;
}

export interface CheckContext<Config> {
  node: WorkflowNode;
  index: number;
  config: Config;
  graph: GraphView;
}

/**
 * Everything the shared code knows about one node type: its config schema,
 * how its strings are read, its branch handles, extra checks and its compile step.
 */
export interface NodeTypeDefinition<Config extends object = object> {
  type: string;
  title: string;
  description: string;
  category: NodeCategory;
  /** A trigger starts runs and has no incoming edges. */
  trigger?: boolean;
  /** Cycles are legal only through a node type that allows them (the loop). */
  allowsCycles?: boolean;
  /** Parses and normalizes the config, filling defaults. */
  config: z.ZodType<Config, unknown>;
  /** Named outgoing handles of a branching node. Omit for a node with one plain output. */
  handles?: (config: Config) => readonly string[];
  /** How each config string is read; by default by field name (see `fieldKindByName`). */
  fieldKind?: (path: ConfigPath) => FieldKind;
  /** Checks that need the graph around the node. */
  check?: (context: CheckContext<Config>) => Problem[];
  /** The config as the interpreter receives it; by default the normalized config. */
  compile?: (config: Config) => JsonObject;
}

/** The workflow format's rule (docs/workflow-format.md): `expression` and `…Expression` fields are JSONata; other strings are `{{ }}` templates. */
export function fieldKindByName(path: ConfigPath): FieldKind {
  const last = [...path].reverse().find((part): part is string => typeof part === 'string');
  if (last !== undefined && (last === 'expression' || last.endsWith('Expression'))) return 'expression';
  return 'template';
}

export function defineNodeType<Config extends object>(definition: NodeTypeDefinition<Config>): NodeTypeDefinition<Config> {
  return definition;
}

/** The normalized config type of a node type definition. */
export type ConfigOf<T> = T extends NodeTypeDefinition<infer C> ? C : never;
