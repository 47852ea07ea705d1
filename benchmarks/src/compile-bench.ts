import { checkExpression, checkTemplate, clearExpressionCheckCache, compileWorkflow, isTemplate, validateWorkflow } from '@tandem/schema';
import { generatedGraph } from './graphs.js';
import { summarize, type Summary } from './stats.js';

export interface CompileBenchOptions {
  nodes: number;
  iterations: number;
  warmup: number;
}

export interface CompileBenchResult {
  nodes: number;
  edges: number;
  mix: Record<string, number>;
  /** Expression and template fields in the graph. */
  expressionFields: number;
  planBytes: number;
  iterations: number;
  warmup: number;
  /** `compileWorkflow`: validation and compilation, what deploy and startExecution pay. */
  compile: Summary;
  /** `validateWorkflow` alone (what the editor and API pay on every check). */
  validate: Summary;
  /** Parsing the graph's expressions and templates alone (`checkExpression` / `checkTemplate`), a part of validation. */
  expressionParsing: Summary;
  /**
   * `validateWorkflow` after one expression changed, with the other fields' verdicts
   * remembered from the previous check: what the editor pays on each keystroke.
   */
  revalidateAfterOneEdit: Summary;
}

/** The string fields of the generated graph that are JSONata, by the workflow format's rule (and `set`'s variables). */
function expressionFields(configs: ReadonlyArray<Record<string, unknown>>): { expressions: string[]; templates: string[] } {
  const expressions: string[] = [];
  const templates: string[] = [];
  const visit = (value: unknown, key: string, underVariables: boolean) => {
    if (typeof value === 'string') {
      if (underVariables || key === 'expression' || key.endsWith('Expression')) expressions.push(value);
      else if (isTemplate(value)) templates.push(value);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, k, underVariables || key === 'variables');
    }
  };
  for (const config of configs) visit(config, '', false);
  return { expressions, templates };
}

/** Times validation and compilation of a generated graph, each iteration on a fresh copy of the document. */
export function benchCompile(options: CompileBenchOptions): CompileBenchResult {
  const { doc, mix } = generatedGraph(options.nodes);
  const compiled = compileWorkflow(doc);
  if (!compiled.ok) throw new Error(`the generated graph is invalid: ${JSON.stringify(compiled.problems.slice(0, 5))}`);
  const fields = expressionFields(doc.nodes.map((n) => n.config));

  const compileTimes: number[] = [];
  const validateTimes: number[] = [];
  const parseTimes: number[] = [];
  const revalidateTimes: number[] = [];
  const edited = doc.nodes.find((n) => typeof n.config.expression === 'string');
  for (let i = 0; i < options.warmup + options.iterations; i++) {
    const measured = i >= options.warmup;
    // First checks: nothing remembered from earlier iterations.
    clearExpressionCheckCache();
    let copy = structuredClone(doc);
    let startedAt = performance.now();
    const result = compileWorkflow(copy);
    const compileMs = performance.now() - startedAt;
    if (!result.ok) throw new Error('the generated graph stopped compiling');

    clearExpressionCheckCache();
    copy = structuredClone(doc);
    startedAt = performance.now();
    validateWorkflow(copy);
    const validateMs = performance.now() - startedAt;

    clearExpressionCheckCache();
    startedAt = performance.now();
    for (const source of fields.expressions) checkExpression(source);
    for (const source of fields.templates) checkTemplate(source);
    const parseMs = performance.now() - startedAt;

    // The editor's case: everything was checked a moment ago, then one expression changed.
    copy = structuredClone(doc);
    const node = copy.nodes.find((n) => n.id === edited?.id);
    if (node) node.config.expression = `${String(node.config.expression)} + ${i}`;
    startedAt = performance.now();
    validateWorkflow(copy);
    const revalidateMs = performance.now() - startedAt;

    if (measured) {
      compileTimes.push(compileMs);
      validateTimes.push(validateMs);
      parseTimes.push(parseMs);
      revalidateTimes.push(revalidateMs);
    }
  }
  return {
    nodes: doc.nodes.length,
    edges: doc.edges.length,
    mix,
    expressionFields: fields.expressions.length + fields.templates.length,
    planBytes: Buffer.byteLength(JSON.stringify(compiled.plan)),
    iterations: options.iterations,
    warmup: options.warmup,
    compile: summarize(compileTimes),
    validate: summarize(validateTimes),
    expressionParsing: summarize(parseTimes),
    revalidateAfterOneEdit: summarize(revalidateTimes),
  };
}
