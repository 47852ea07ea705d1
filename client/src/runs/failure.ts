import { causeChain, fieldKindByName, getNodeType, type RunError, type StepAttempt, type StepError } from '@tandem/schema';

/**
 * What the error overlay says about a failure: its kind, a plain-language hint, where in the
 * node's config it happened, and a Markdown report. Pure: built from the events and the
 * version's definition.
 */

/** The most specific kind an error names: its innermost cause's type, else its own. */
export function errorKind(error: StepError | RunError | null | undefined): string {
  const chain = causeChain(error);
  for (let i = chain.length - 1; i >= 0; i--) if (chain[i]!.type) return chain[i]!.type!;
  return 'Error';
}

/** The message to lead with: the innermost cause's, which says what actually went wrong. */
export function errorMessage(error: StepError | RunError | null | undefined): string {
  const chain = causeChain(error);
  for (let i = chain.length - 1; i >= 0; i--) if (chain[i]!.message) return chain[i]!.message!;
  return 'the step failed without a message';
}

/** What the run's events say about which nodes ran: for the "reads a node that did not run" hint. */
export interface HintContext {
  /** Node ids that completed before the failure. */
  completed: ReadonlySet<string>;
  /** Node ids in the workflow. */
  nodes: ReadonlySet<string>;
}

/** A plain-language hint for the common kinds of failure, or null. */
export function failureHint(error: StepError | RunError | null | undefined, context: HintContext): string | null {
  const kind = errorKind(error);
  const text = causeChain(error)
    .map((e) => e.message ?? '')
    .join(' ');
  if (kind === 'HttpTargetBlocked' || /\brefused\b.*(private|loopback|link-local|policy)/i.test(text))
    return 'The network policy refused this address: requests to private, loopback and link-local addresses are blocked unless an operator allows them. Use a public address, or ask an operator to allow this host.';
  if (kind === 'HttpTimeout' || /timed? ?out|timeout/i.test(text))
    return "The other side did not answer in time. Check that the service is up, or raise the node's timeout (timeoutMs) if it is slow but working.";
  if (kind === 'HttpClientError' || kind === 'HttpServerError' || /\b(status|answered|returned) [45]\d\d\b/i.test(text))
    return 'The server answered with an error status (not 2xx). A 4xx usually means the request is wrong (URL, headers, body, credentials); a 5xx that the service failed: its response body below often says why.';
  if (/not (valid )?JSON|Unexpected token|JSON\.parse|is not JSON/i.test(text))
    return 'The response body is not JSON, but the node or a later expression reads it as JSON. Check the response excerpt: an HTML error page or plain text is a common cause.';
  if (kind === 'ExpressionError' || /expression|\{\{/i.test(text)) {
    const read = /nodes\.([A-Za-z0-9_-]+)/.exec(text);
    if (read && context.nodes.has(read[1]!) && !context.completed.has(read[1]!))
      return `The expression reads nodes.${read[1]}, but that node had not run (or did not succeed) when this step ran: it was skipped, failed, or is not upstream of this node. Connect it before this node or guard the read.`;
    if (/undefined|null|missing|does not exist|cannot be|must (evaluate to|be)|not an? (number|string|array|object)/i.test(text))
      return 'The expression read a field that is missing (or of another type) in the data it got. Compare the step input below with the expression: a renamed or absent field is the usual cause.';
    return 'The expression failed while it ran. The highlighted position in the config shows where; the step input below is the data it read.';
  }
  return null;
}

/** Where in a node's config a failure happened, when the error says. */
export interface FailureLocation {
  /** The config field, e.g. `url` or `variables.total`. */
  path: string;
  /** The field's text. */
  text: string;
  /** The failing range within `text` (characters), when the error names a position. */
  start?: number;
  end?: number;
}

function stringFields(config: unknown, path: Array<string | number> = [], out: Array<{ path: Array<string | number>; text: string }> = []) {
  if (typeof config === 'string') out.push({ path, text: config });
  else if (Array.isArray(config)) config.forEach((item, i) => stringFields(item, [...path, i], out));
  else if (config && typeof config === 'object') for (const [key, value] of Object.entries(config)) stringFields(value, [...path, key], out);
  return out;
}

function formatConfigPath(path: ReadonlyArray<string | number>): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

/** The end of the token that starts at `start` (a template part's failing token). */
function tokenEnd(text: string, start: number): number {
  const match = /^[A-Za-z0-9_$.`"'-]+/.exec(text.slice(start));
  return start + Math.max(1, match?.[0].length ?? 1);
}

/**
 * Finds the config field a failure came from: a template error names its `{{ part }}`; an
 * expression error names a character position ("at character N") in the node's expression
 * field. Null when the error names neither.
 */
export function failureLocation(nodeType: string | undefined, config: unknown, error: StepError | RunError | null | undefined): FailureLocation | null {
  const text = causeChain(error)
    .map((e) => e.message ?? '')
    .join('\n');
  const kindOf = (nodeType && getNodeType(nodeType)?.fieldKind) || fieldKindByName;
  const fields = stringFields(config);
  const at = /at character (\d+)/.exec(text);
  const position = at ? Number(at[1]) : undefined;
  const part = /in \{\{([\s\S]*?)\}\}:/.exec(text);
  if (part) {
    const inner = part[1]!.trim();
    for (const field of fields) {
      const index = field.text.indexOf(inner);
      if (index === -1 || kindOf(field.path) !== 'template') continue;
      // A template error's position counts from the start of the whole template text.
      const start = position !== undefined && position < field.text.length ? position : index;
      return { path: formatConfigPath(field.path), text: field.text, start, end: position !== undefined ? tokenEnd(field.text, start) : index + inner.length };
    }
  }
  const expressions = fields.filter((field) => kindOf(field.path) === 'expression');
  const quoted = expressions.find((f) => text.includes(f.text));
  // A request that went out and failed (HTTP status, network) failed in no expression, unless the message points at one.
  if (position === undefined && !quoted && /^Http/.test(errorKind(error))) return null;
  if (expressions.length === 0) return null;
  // With several expression fields, the one whose text the message quotes; else the first.
  const field = quoted ?? expressions[0]!;
  const location: FailureLocation = { path: formatConfigPath(field.path), text: field.text };
  if (position !== undefined && position <= field.text.length) {
    // JSONata counts from 1 and points at the failing operator, or at the "(" of a failing call.
    const pointed = Math.max(0, Math.min(position, field.text.length) - 1);
    const end = field.text[pointed] === '(' ? pointed : pointed + 1;
    let start = end;
    while (start > 0 && /[A-Za-z0-9_$.]/.test(field.text[start - 1]!)) start--;
    if (start === end) start = end - 1;
    location.start = start;
    location.end = end;
  }
  return location;
}

export interface ReportInput {
  runUrl: string;
  executionId: string;
  workflowName: string;
  version: number | null;
  nodeId: string;
  nodeType?: string;
  error: StepError | RunError | null | undefined;
  input: unknown;
  attempts: readonly StepAttempt[];
  hint: string | null;
}

function fenced(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value ?? null, null, 2);
  } catch {
    text = String(value);
  }
  if (text.length > 4000) text = `${text.slice(0, 4000)}\n… (cut)`;
  return '```json\n' + text.replace(/```/g, '`\u200b``') + '\n```';
}

/** A Markdown summary of a failure for an issue tracker. */
export function failureReport(report: ReportInput): string {
  const chain = causeChain(report.error);
  const lines = [
    `### Run failed at node \`${report.nodeId}\`${report.nodeType ? ` (${report.nodeType})` : ''}`,
    '',
    `- Run: [${report.executionId}](${report.runUrl})`,
    `- Workflow: ${report.workflowName}${report.version !== null ? `, version ${report.version}` : ''}`,
    `- Kind: \`${errorKind(report.error)}\``,
    `- Error: ${errorMessage(report.error)}`,
  ];
  if (chain.length > 1) {
    lines.push('', 'Cause chain:');
    chain.forEach((e, i) => lines.push(`${i + 1}. ${e.type ? `\`${e.type}\` ` : ''}${e.message ?? ''}`));
  }
  if (report.attempts.length) {
    lines.push('', 'Attempts:');
    for (const a of report.attempts) lines.push(`- attempt ${a.attempt} at ${a.at}: ${a.error.message ?? a.error.type ?? 'failed'}`);
  }
  if (report.hint) lines.push('', `Hint: ${report.hint}`);
  lines.push('', 'Step input:', '', fenced(report.input));
  return lines.join('\n');
}
