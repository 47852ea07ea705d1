import { compileExpression, compileTemplate, isTemplate, type CompiledExpression, type CompiledTemplate } from './expressions/index.js';
import { formatPath } from './json.js';
import { fieldKindByName, getNodeType, type ConfigPath } from './nodes/index.js';
import type { ExecutionPlan, PlanNode } from './plan.js';

/** A node's expressions and templates, parsed once when a run starts. */
export interface CompiledNodeFields {
  expression(path: ConfigPath): CompiledExpression;
  /** A template; plain text without `{{ }}` renders as itself. */
  template(path: ConfigPath): CompiledTemplate;
  /** How many expressions the node has: what bounds the work of running it. */
  readonly expressionCount: number;
}

/** Parses every expression and template of a plan once, so each evaluation only evaluates. */
export function compilePlanFields(plan: ExecutionPlan): Map<string, CompiledNodeFields> {
  return new Map(plan.nodes.map((node) => [node.id, compileNodeFields(node)]));
}

export function compileNodeFields(node: PlanNode): CompiledNodeFields {
  const kindOf = getNodeType(node.type)?.fieldKind ?? fieldKindByName;
  const expressions = new Map<string, CompiledExpression>();
  const templates = new Map<string, CompiledTemplate>();
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value: node.config, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const kind = kindOf(path);
      const key = formatPath(path);
      if (kind === 'expression') expressions.set(key, compileExpression(value));
      else if (kind === 'template') templates.set(key, isTemplate(value) ? compileTemplate(value) : literalTemplate(value));
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) stack.push({ value: item, path: [...path, key] });
    }
  }
  return {
    expression(path) {
      const compiled = expressions.get(formatPath(path));
      if (!compiled) throw new Error(`node "${node.id}" has no expression at ${formatPath(path)}`);
      return compiled;
    },
    template(path) {
      const compiled = templates.get(formatPath(path));
      if (!compiled) throw new Error(`node "${node.id}" has no text field at ${formatPath(path)}`);
      return compiled;
    },
    expressionCount: expressions.size,
  };
}

function literalTemplate(text: string): CompiledTemplate {
  return { source: text, render: async () => text };
}
