/** Workflow documents (`tandem.workflow/v1`) the engine benchmark runs and compiles. */

export interface DocNode {
  id: string;
  type: string;
  position: { x: number; y: number };
  config: Record<string, unknown>;
}

export interface DocEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string;
}

export interface WorkflowDoc {
  format: 'tandem.workflow/v1';
  name: string;
  description: string;
  params: Record<string, unknown>;
  nodes: DocNode[];
  edges: DocEdge[];
}

/** Builds a document: nodes are laid out left to right, edges numbered in order. */
class DocBuilder {
  private readonly nodes: DocNode[] = [];
  private readonly edges: DocEdge[] = [];

  constructor(private readonly name: string) {}

  get size(): number {
    return this.nodes.length;
  }

  node(id: string, type: string, config: Record<string, unknown> = {}, row = 0): string {
    this.nodes.push({ id, type, position: { x: this.nodes.length * 220, y: row * 140 }, config });
    return id;
  }

  edge(source: string, target: string, sourceHandle?: string): void {
    this.edges.push({ id: `e${this.edges.length + 1}`, source, target, ...(sourceHandle ? { sourceHandle } : {}) });
  }

  build(params: Record<string, unknown> = {}): WorkflowDoc {
    return { format: 'tandem.workflow/v1', name: this.name, description: '', params, nodes: this.nodes, edges: this.edges };
  }
}

/** Transforms in the transform chain; each adds 1, so the result is `input.n + TRANSFORM_STEPS`. */
export const TRANSFORM_STEPS = 9;

/** trigger.manual → 9 transforms, each adding 1 to the previous value → output. */
export function transformChain(): WorkflowDoc {
  const doc = new DocBuilder('Transform chain');
  let previous = doc.node('start', 'trigger.manual');
  for (let i = 1; i <= TRANSFORM_STEPS; i++) {
    const source = i === 1 ? 'nodes.start.n' : `nodes.${previous}`;
    const id = doc.node(`add${i}`, 'transform', { expression: `${source} + 1` });
    doc.edge(previous, id);
    previous = id;
  }
  const out = doc.node('out', 'output', { expression: `nodes.${previous}` });
  doc.edge(previous, out);
  return doc.build();
}

/** Calls in the HTTP chain. */
export const HTTP_CALLS = 3;

/**
 * trigger.manual → 3 GETs against the local server, each URL built from the previous
 * response (`/step/1`, `/step/{{ next }}`, …) → output (the last step number, i.e. 3).
 */
export function httpChain(baseUrl: string, timeoutMs: number): WorkflowDoc {
  const doc = new DocBuilder('HTTP chain');
  let previous = doc.node('start', 'trigger.manual');
  for (let i = 1; i <= HTTP_CALLS; i++) {
    const url = i === 1 ? `${baseUrl}/step/1` : `${baseUrl}/step/{{ nodes.${previous}.body.next }}`;
    const id = doc.node(`call${i}`, 'http.request', { method: 'GET', url, timeoutMs });
    doc.edge(previous, id);
    previous = id;
  }
  const out = doc.node('out', 'output', { expression: `nodes.${previous}.body.step` });
  doc.edge(previous, out);
  return doc.build();
}

export interface GeneratedGraph {
  doc: WorkflowDoc;
  /** Node count per node type. */
  mix: Record<string, number>;
}

/** A small deterministic PRNG (mulberry32), so every run compiles the same graph. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const TRANSFORM_EXPRESSIONS = [
  (i: number, prev: string) => `{ 'step': ${i}, 'previous': nodes.${prev}, 'total': $sum(input.items.price) }`,
  (i: number) => `$map(input.items, function($v) { $v.price * ${(i % 5) + 1} })`,
  (i: number) => `'order-' & $string(input.orderId) & '-' & $string(${i})`,
  (_i: number, prev: string) => `$count(nodes.${prev}) > 0 ? nodes.${prev} : vars`,
  (i: number) => `input.items[price > ${i % 50}].{ 'sku': sku, 'price': price }`,
  (_i: number) => `$uppercase($substring(input.customer.name, 0, 3)) & $join(input.tags, ',')`,
];

/**
 * A graph of exactly `size` nodes (one trigger, one output) built from blocks drawn at random:
 * transforms, sets, http.requests, and condition diamonds (condition → true/false branch → join).
 * Every block hangs off the previous one, so every node is reachable from the trigger.
 */
export function generatedGraph(size: number, seed = 42): GeneratedGraph {
  if (size < 2) throw new Error('a generated graph needs at least a trigger and an output');
  const next = random(seed);
  const doc = new DocBuilder(`Generated ${size}-node graph`);
  let previous = doc.node('start', 'trigger.manual');
  let block = 0;
  const add = (id: string, type: string, config: Record<string, unknown>, row = 0) => doc.node(id, type, config, row);

  while (doc.size < size - 1) {
    block++;
    const room = size - 1 - doc.size;
    const roll = next();
    if (roll < 0.2 && room >= 4) {
      const test = add(`if${block}`, 'condition', { expression: `input.items[${block % 7}].price > ${block % 100}` });
      const yes = add(`if${block}_yes`, 'transform', { expression: `{ 'branch': 'true', 'block': ${block}, 'from': nodes.${previous} }` }, 1);
      const no = add(`if${block}_no`, 'transform', { expression: `{ 'branch': 'false', 'block': ${block} }` }, -1);
      const join = add(`join${block}`, 'join', {});
      doc.edge(previous, test);
      doc.edge(test, yes, 'true');
      doc.edge(test, no, 'false');
      doc.edge(yes, join);
      doc.edge(no, join);
      previous = join;
      continue;
    }
    let id: string;
    if (roll < 0.35) {
      id = add(`set${block}`, 'set', {
        variables: { [`count${block}`]: `$count(input.items) + ${block}`, [`label${block}`]: `'block ' & $string(${block})` },
      });
    } else if (roll < 0.45) {
      id = add(`http${block}`, 'http.request', {
        method: 'POST',
        url: `https://api.example.com/orders/{{ input.orderId }}/events/${block}`,
        headers: { 'x-request-id': `{{ execution.id }}-${block}`, 'content-type': 'application/json' },
        bodyExpression: `{ 'block': ${block}, 'data': nodes.${previous} }`,
        timeoutMs: 10_000,
        retry: { maxAttempts: 4, initialIntervalMs: 250 },
      });
    } else {
      const expression = TRANSFORM_EXPRESSIONS[block % TRANSFORM_EXPRESSIONS.length]!(block, previous);
      id = add(`tr${block}`, 'transform', { expression });
    }
    doc.edge(previous, id);
    previous = id;
  }
  const out = add('out', 'output', { expression: `{ 'last': nodes.${previous}, 'vars': vars }` });
  doc.edge(previous, out);

  const built = doc.build({ currency: 'EUR' });
  const mix: Record<string, number> = {};
  for (const node of built.nodes) mix[node.type] = (mix[node.type] ?? 0) + 1;
  return { doc: built, mix };
}
