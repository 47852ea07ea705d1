import type { z } from 'zod';
import { checkExpression, checkTemplate, isTemplate, parseTemplate } from './expressions/index.js';
import { secretNameProblem, secretReferences } from './secrets.js';
import { cyclicComponents, reachableFrom } from './graph.js';
import { DOCUMENT_LIMITS, edgeSchema, nodeSchema, workflowEnvelopeSchema, type WorkflowDefinition, type WorkflowEdge, type WorkflowNode } from './format.js';
import { formatPath, inspectShape, isPlainObject, type JsonObject } from './json.js';
import { fieldKindByName, getNodeType, type GraphView, type NodeTypeDefinition } from './nodes/index.js';
import type { Problem } from './problems.js';

export type ValidationResult = { ok: true; definition: WorkflowDefinition; problems: [] } | { ok: false; problems: Problem[] };

/** What validation learned, for the compiler: the definition and each node's normalized config. */
export interface Analysis {
  problems: Problem[];
  definition?: WorkflowDefinition;
  configs: Map<string, JsonObject>;
}

/** Validates an untrusted workflow document and reports every problem at once. Never throws. */
export function validateWorkflow(input: unknown): ValidationResult {
  const analysis = analyzeWorkflow(input);
  if (analysis.problems.length === 0 && analysis.definition) return { ok: true, definition: analysis.definition, problems: [] };
  return { ok: false, problems: analysis.problems };
}

export function analyzeWorkflow(input: unknown): Analysis {
  try {
    return analyze(input);
  } catch (error) {
    // Validation must answer, never crash, whatever the input; this is a last resort.
    return {
      problems: [{ code: 'invalid_document', path: '', message: `document could not be checked: ${(error as Error)?.message ?? String(error)}` }],
      configs: new Map(),
    };
  }
}

function analyze(input: unknown): Analysis {
  const problems: Problem[] = [];
  const configs = new Map<string, JsonObject>();

  const shapeIssues = inspectShape(input, DOCUMENT_LIMITS);
  for (const issue of shapeIssues) problems.push(located('invalid_document', issue.path, issue.message, input));
  if (shapeIssues.some((issue) => issue.fatal)) return { problems, configs };
  if (!isPlainObject(input)) {
    problems.push({ code: 'invalid_document', path: '', message: 'a workflow must be a JSON object' });
    return { problems, configs };
  }

  const envelope = workflowEnvelopeSchema.safeParse(input);
  if (!envelope.success) {
    problems.push(...zodProblems('invalid_document', envelope.error, [], input));
    if (!Array.isArray(input.nodes) || !Array.isArray(input.edges)) return { problems, configs };
    // Too many nodes or edges: refused as a whole, not item by item (that would report, and cost, per item).
    if (input.nodes.length > DOCUMENT_LIMITS.maxNodes || input.edges.length > DOCUMENT_LIMITS.maxEdges) return { problems, configs };
  }
  const rawNodes = (input.nodes ?? []) as unknown[];
  const rawEdges = (input.edges ?? []) as unknown[];

  const nodes: WorkflowNode[] = [];
  const nodeIndex = new Map<string, number>();
  rawNodes.forEach((raw, i) => {
    const parsed = nodeSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...zodProblems('invalid_node', parsed.error, ['nodes', i], input));
      return;
    }
    const node = parsed.data as WorkflowNode;
    if (nodeIndex.has(node.id)) {
      problems.push({ code: 'duplicate_id', path: `nodes[${i}].id`, nodeId: node.id, message: `node id "${node.id}" is used more than once` });
      return;
    }
    nodeIndex.set(node.id, i);
    nodes.push(node);
  });

  const edges: WorkflowEdge[] = [];
  const edgeIndex = new Map<string, number>();
  rawEdges.forEach((raw, i) => {
    const parsed = edgeSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...zodProblems('invalid_edge', parsed.error, ['edges', i], input));
      return;
    }
    const edge = parsed.data as WorkflowEdge;
    const at = `edges[${i}]`;
    if (edgeIndex.has(edge.id)) {
      problems.push({ code: 'duplicate_id', path: `${at}.id`, edgeId: edge.id, message: `edge id "${edge.id}" is used more than once` });
      return;
    }
    edgeIndex.set(edge.id, i);
    let dangling = false;
    for (const end of ['source', 'target'] as const) {
      if (!nodeIndex.has(edge[end])) {
        dangling = true;
        problems.push({
          code: 'dangling_edge',
          path: `${at}.${end}`,
          edgeId: edge.id,
          message: `edge "${edge.id}" ${end === 'source' ? 'starts at' : 'ends at'} node "${edge[end]}", which does not exist`,
        });
      }
    }
    if (!dangling) edges.push(edge);
  });

  // Node types and configs.
  const types = new Map<string, NodeTypeDefinition<object>>();
  for (const node of nodes) {
    const i = nodeIndex.get(node.id)!;
    const nodeType = getNodeType(node.type);
    if (!nodeType) {
      problems.push({ code: 'unknown_type', path: `nodes[${i}].type`, nodeId: node.id, message: `node "${node.id}" has unknown type "${node.type}"` });
      continue;
    }
    types.set(node.id, nodeType);
    const config = nodeType.config.safeParse(node.config);
    if (!config.success) {
      for (const issue of config.error.issues) {
        const path = ['nodes', i, 'config', ...issue.path.map(keyOf)];
        problems.push({ code: 'invalid_config', path: formatPath(path), nodeId: node.id, message: `node "${node.id}": ${describeIssue(issue)}` });
      }
      continue;
    }
    configs.set(node.id, config.data as JsonObject);
    problems.push(...expressionProblems(node, i, config.data as JsonObject, nodeType));
  }

  // Graph structure.
  const outgoing = groupBy(edges, (e) => e.source);
  const incoming = groupBy(edges, (e) => e.target);
  const adjacency = new Map<string, string[]>();
  for (const edge of edges) adjacency.set(edge.source, [...(adjacency.get(edge.source) ?? []), edge.target]);

  for (const edge of edges) {
    const at = `edges[${edgeIndex.get(edge.id)}]`;
    const sourceType = types.get(edge.source);
    const config = configs.get(edge.source);
    if (!sourceType || !config) continue;
    const handles = sourceType.handles?.(config) ?? [];
    if (handles.length === 0) {
      if (edge.sourceHandle !== undefined) {
        problems.push({
          code: 'unexpected_handle',
          path: `${at}.sourceHandle`,
          edgeId: edge.id,
          nodeId: edge.source,
          message: `edge "${edge.id}" leaves "${edge.source}" by handle "${edge.sourceHandle}", but ${sourceType.type} nodes have a single output`,
        });
      }
    } else if (edge.sourceHandle === undefined) {
      problems.push({
        code: 'missing_handle',
        path: `${at}.sourceHandle`,
        edgeId: edge.id,
        nodeId: edge.source,
        message: `edge "${edge.id}" leaves ${sourceType.type} node "${edge.source}" without a handle; use one of ${handles.map((h) => `"${h}"`).join(', ')}`,
      });
    } else if (!handles.includes(edge.sourceHandle)) {
      problems.push({
        code: 'unknown_handle',
        path: `${at}.sourceHandle`,
        edgeId: edge.id,
        nodeId: edge.source,
        message: `edge "${edge.id}" leaves "${edge.source}" by unknown handle "${edge.sourceHandle}"; use one of ${handles.map((h) => `"${h}"`).join(', ')}`,
      });
    }
  }

  const triggers = nodes.filter((n) => types.get(n.id)?.trigger);
  if (nodes.length > 0 && triggers.length === 0) {
    problems.push({ code: 'no_trigger', path: 'nodes', message: 'the workflow has no trigger; add a trigger node such as trigger.manual' });
  }
  if (nodes.length === 0 && envelope.success) {
    problems.push({ code: 'no_trigger', path: 'nodes', message: 'the workflow has no nodes; add a trigger node such as trigger.manual' });
  }
  for (const trigger of triggers) {
    for (const edge of incoming.get(trigger.id) ?? []) {
      problems.push({
        code: 'trigger_has_input',
        path: `nodes[${nodeIndex.get(trigger.id)}]`,
        nodeId: trigger.id,
        edgeId: edge.id,
        message: `trigger "${trigger.id}" cannot have incoming edges (edge "${edge.id}" from "${edge.source}")`,
      });
    }
  }

  // Cycles are legal only through a node type that allows them: remove those nodes and look again.
  const cycleBreakers = new Set(nodes.filter((n) => types.get(n.id)?.allowsCycles).map((n) => n.id));
  const withoutBreakers = new Map<string, string[]>();
  for (const [source, targets] of adjacency) {
    if (cycleBreakers.has(source)) continue;
    withoutBreakers.set(
      source,
      targets.filter((t) => !cycleBreakers.has(t)),
    );
  }
  for (const component of cyclicComponents(
    nodes.map((n) => n.id).filter((id) => !cycleBreakers.has(id)),
    withoutBreakers,
  )) {
    const first = component[0]!;
    problems.push({
      code: 'illegal_cycle',
      path: `nodes[${nodeIndex.get(first)}]`,
      nodeId: first,
      message: `nodes ${component.map((id) => `"${id}"`).join(', ')} form a cycle that does not pass through a loop node`,
    });
  }

  if (triggers.length > 0) {
    const reached = reachableFrom(
      adjacency,
      triggers.map((t) => t.id),
    );
    for (const node of nodes) {
      if (!reached.has(node.id)) {
        problems.push({
          code: 'unreachable',
          path: `nodes[${nodeIndex.get(node.id)}]`,
          nodeId: node.id,
          message: `node "${node.id}" cannot be reached from any trigger`,
        });
      }
    }
  }

  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  const graph: GraphView = {
    node: (id) => nodeById.get(id),
    outgoing: (id) => outgoing.get(id) ?? [],
    incoming: (id) => incoming.get(id) ?? [],
    reachable: (from, stopAt) => reachableFrom(adjacency, [from], stopAt),
  };
  for (const node of nodes) {
    const nodeType = types.get(node.id);
    const config = configs.get(node.id);
    if (nodeType?.check && config) problems.push(...nodeType.check({ node, index: nodeIndex.get(node.id)!, config, graph }));
  }

  if (problems.length > 0 || !envelope.success) return { problems, configs };
  const definition: WorkflowDefinition = {
    format: envelope.data.format,
    name: envelope.data.name,
    description: envelope.data.description,
    params: envelope.data.params,
    nodes,
    edges,
  };
  return { problems, definition, configs };
}

function expressionProblems(node: WorkflowNode, index: number, config: JsonObject, nodeType: NodeTypeDefinition<object>): Problem[] {
  const problems: Problem[] = [];
  const kindOf = nodeType.fieldKind ?? fieldKindByName;
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value: config, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const kind = kindOf(path);
      const where = formatPath(['nodes', index, 'config', ...path]);
      const field = formatPath(path);
      if (kind === 'expression') {
        const error = checkExpression(value);
        if (error) problems.push({ code: 'expression_syntax', path: where, nodeId: node.id, message: `node "${node.id}", field ${field}: ${error.message}` });
        else problems.push(...secretReferenceProblems(node, where, field, [value]));
      } else if (kind === 'template' && isTemplate(value)) {
        const error = checkTemplate(value);
        if (error) problems.push({ code: 'template_syntax', path: where, nodeId: node.id, message: `node "${node.id}", field ${field}: ${error.message}` });
        else
          problems.push(
            ...secretReferenceProblems(
              node,
              where,
              field,
              parseTemplate(value).flatMap((part) => ('expression' in part ? [part.expression] : [])),
            ),
          );
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) stack.push({ value: item, path: [...path, key] });
    }
  }
  return problems.reverse();
}

/** `secrets.NAME` with a name no secret can have (only the text is checked: which secrets exist is known at run time). */
function secretReferenceProblems(node: WorkflowNode, where: string, field: string, sources: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  for (const source of sources) {
    if (!source.includes('secrets')) continue;
    for (const reference of secretReferences(source)) {
      const problem = secretNameProblem(reference.name);
      if (problem)
        problems.push({
          code: 'invalid_secret_reference',
          path: where,
          nodeId: node.id,
          message: `node "${node.id}", field ${field}: secrets.${reference.name.slice(0, 80)}: ${problem}`,
        });
    }
  }
  return problems;
}

function zodProblems(code: Problem['code'], error: z.ZodError, prefix: Array<string | number>, document: unknown): Problem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map(keyOf)];
    return located(code, path, describeIssue(issue), document);
  });
}

/** A problem at `path`, naming the node or edge the path falls in when it can tell. */
function located(code: Problem['code'], path: ReadonlyArray<string | number>, message: string, document: unknown): Problem {
  const problem: Problem = { code, path: formatPath(path), message };
  const [list, index] = path;
  if ((list === 'nodes' || list === 'edges') && typeof index === 'number' && isPlainObject(document)) {
    const items = document[list];
    const item = Array.isArray(items) ? (items[index] as unknown) : undefined;
    const id = isPlainObject(item) && typeof item.id === 'string' ? item.id.slice(0, 100) : undefined;
    if (id !== undefined) {
      if (list === 'nodes') problem.nodeId = id;
      else problem.edgeId = id;
      problem.message = `${list === 'nodes' ? 'node' : 'edge'} "${id}": ${message}`;
    } else {
      problem.message = `${formatPath([list, index])}: ${message}`;
    }
  } else if (path.length > 0) {
    problem.message = `${formatPath(path)}: ${message}`;
  }
  return problem;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length > 0 ? `${formatPath(issue.path.map(keyOf))}: ` : '';
  if (issue.code === 'unrecognized_keys') return `${field}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return `${field}${issue.message}`;
}

function keyOf(part: PropertyKey): string | number {
  return typeof part === 'symbol' ? String(part) : part;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
