import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  BREAK,
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  visit,
  type ASTNode,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationTypeNode,
  type ValidationRule,
} from 'graphql';
import { validationRules } from './limits.js';

/**
 * Limits on a GraphQL document, checked in time linear in its size BEFORE graphql's
 * validation, the depth limit and the cost analysis run. Those walk fragment spreads
 * expanded, so a 2 KB document whose fragments spread each other twice per level would make
 * them do 2^levels work; here every fragment is measured once (memoised), so the expanded size
 * is known without expanding anything.
 */
export const DOCUMENT_LIMITS = {
  /** Characters of the document (operations and fragments; variables come separately). */
  maxChars: 100_000,
  /** Lexical tokens (graphql's `parse` stops there too). */
  maxTokens: 10_000,
  /** Brackets (`{`, `[`, `(`) open at once, as written: graphql's parser recurses on each. */
  maxNesting: 64,
  /** Fragment definitions in one document. */
  maxFragments: 100,
  /** Fragment spreads written inside one operation or fragment (fan-out). */
  maxSpreadsPerDefinition: 50,
  /** Fields with every fragment spread expanded, summed over the operations and fragments of the document. */
  maxExpandedFields: 2_000,
  /** Levels of fields with fragments expanded, introspection fields included. */
  maxExpandedDepth: 40,
  /** Wall-clock time for lexing, parsing, the checks above and graphql's validation of one document. */
  budgetMs: 250,
} as const;

export type DocumentLimits = { [K in keyof typeof DOCUMENT_LIMITS]: number };

/** Limits on the variables of a request. */
export const VARIABLE_LIMITS = {
  /** Arrays and objects nested inside one variable's value. */
  maxDepth: 64,
} as const;

/** A refusal: always BAD_USER_INPUT (the API's code for a client's mistake), `reason` says which. */
export function refusal(message: string, reason: string, extensions: Record<string, unknown> = {}, status = 400): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', reason, ...extensions, http: { status } } });
}

/** The response body fields of a refusal (without the transport-only `http` extension). */
export function refusalBody(error: GraphQLError): GraphQLFormattedError {
  const { http: _http, ...extensions } = error.extensions;
  const formatted = error.toJSON();
  return { ...formatted, extensions };
}

/** Status that goes with an error made by `refusal` (400 when none is set). */
export function refusalStatus(errors: readonly GraphQLError[]): number {
  for (const error of errors) {
    const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
    if (typeof status === 'number') return status;
  }
  return 400;
}

export function queryHash(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}

/** Refuses introspection when it is off (the message and `validationErrorCode` Apollo uses). */
export const NoIntrospectionRule: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') {
      context.reportError(
        new GraphQLError('introspection is disabled on this server (__schema and __type cannot be queried)', {
          nodes: [node],
          extensions: { validationErrorCode: 'INTROSPECTION_DISABLED' },
        }),
      );
    }
  },
});

class CheckTimeout extends Error {}

/** A validation rule that stops validation once the deadline has passed (looked at every 64 nodes). */
function deadlineRule(deadline: number): ValidationRule {
  return () => {
    let visited = 0;
    return {
      enter() {
        if (++visited % 64 === 0 && performance.now() > deadline) throw new CheckTimeout();
      },
    };
  };
}

export interface DocumentCheckOptions {
  introspection: boolean;
  /** Overrides for tests. */
  limits?: Partial<DocumentLimits>;
}

export type DocumentCheck = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: GraphQLError[] };

/**
 * Lexes (counting tokens and nesting), parses, measures (fragments, fan-out, expanded size and
 * depth, cycles) and validates a document, within the time budget. Every graphql validation
 * rule the API uses runs here, so a document that passes needs no second validation.
 */
export function checkDocument(schema: GraphQLSchema, query: string, options: DocumentCheckOptions): DocumentCheck {
  const limits: DocumentLimits = { ...DOCUMENT_LIMITS, ...options.limits };
  const deadline = performance.now() + limits.budgetMs;
  const tooSlow = () => ({
    errors: [refusal(`checking this operation took longer than ${limits.budgetMs} ms; send a smaller operation`, 'QUERY_CHECK_TIMEOUT')],
  });

  if (query.length > limits.maxChars) {
    return {
      errors: [refusal(`the operation is ${query.length} characters long; the limit is ${limits.maxChars}`, 'QUERY_TOO_LARGE', { limit: limits.maxChars })],
    };
  }
  const lexed = lex(query, limits);
  if (lexed) return { errors: [lexed] };
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens, noLocation: false });
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [syntaxError(error)] };
    return { errors: [refusal('the operation is nested too deeply to parse', 'QUERY_TOO_LARGE')] };
  }
  if (performance.now() > deadline) return tooSlow();

  const shape = measure(document, limits);
  if (shape) return { errors: [shape] };
  if (performance.now() > deadline) return tooSlow();

  const rules = [...specifiedRules, ...(options.introspection ? [] : [NoIntrospectionRule]), ...validationRules, deadlineRule(deadline)];
  let errors: readonly GraphQLError[];
  try {
    errors = validate(schema, document, rules, { hideSuggestions: !options.introspection });
  } catch (error) {
    if (error instanceof CheckTimeout) return tooSlow();
    // graphql-depth-limit throws on documents it does not expect (an unknown fragment, say): the
    // spec's rules alone name the mistake (the document is small, see measure()).
    try {
      errors = validate(schema, document, [...specifiedRules, deadlineRule(deadline)], { hideSuggestions: !options.introspection });
    } catch (again) {
      if (again instanceof CheckTimeout) return tooSlow();
      errors = [];
    }
    if (errors.length === 0) return { errors: [refusal('the operation could not be validated', 'GRAPHQL_VALIDATION_FAILED')] };
  }
  if (errors.length > 0) {
    return {
      errors: errors.map(
        (error) =>
          new GraphQLError(error.message, {
            ...(error.nodes ? { nodes: error.nodes } : {}),
            extensions: { ...error.extensions, code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
          }),
      ),
    };
  }
  return { document };
}

/** Counts tokens and bracket nesting without building anything (the lexer is iterative). */
function lex(query: string, limits: DocumentLimits): GraphQLError | null {
  const lexer = new Lexer(new Source(query));
  let tokens = 0;
  let nesting = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (++tokens > limits.maxTokens) {
        return refusal(`the operation has more than ${limits.maxTokens} tokens`, 'QUERY_TOO_LARGE', { limit: limits.maxTokens });
      }
      if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L) {
        if (++nesting > limits.maxNesting) {
          return refusal(`the operation nests brackets more than ${limits.maxNesting} levels deep`, 'QUERY_TOO_LARGE', { limit: limits.maxNesting });
        }
      } else if (token.kind === TokenKind.BRACE_R || token.kind === TokenKind.BRACKET_R || token.kind === TokenKind.PAREN_R) {
        nesting--;
      }
    }
  } catch (error) {
    if (error instanceof GraphQLError) return syntaxError(error);
    throw error;
  }
  return null;
}

/** graphql's syntax error with its location, as a refusal. */
function syntaxError(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    extensions: { code: 'BAD_USER_INPUT', reason: 'GRAPHQL_PARSE_FAILED', http: { status: 400 } },
  });
}

interface Shape {
  /** Fields written in this definition. */
  fields: number;
  /** Deepest field level written in it. */
  depth: number;
  /** Spreads with the number of fields around them. */
  spreads: Array<{ name: string; level: number }>;
}

const SATURATED = 1e12;

/** Fragment count, fan-out, cycles, expanded field count and depth; each definition walked once. */
function measure(document: DocumentNode, limits: DocumentLimits): GraphQLError | null {
  const fragments = new Map<string, Shape>();
  const roots: Shape[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
    const shape = shapeOf(definition);
    if (shape.spreads.length > limits.maxSpreadsPerDefinition) {
      const what = definition.kind === Kind.FRAGMENT_DEFINITION ? `fragment "${definition.name.value}"` : 'an operation';
      return refusal(`${what} spreads ${shape.spreads.length} fragments; the limit is ${limits.maxSpreadsPerDefinition}`, 'QUERY_TOO_LARGE', {
        limit: limits.maxSpreadsPerDefinition,
      });
    }
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      const name = definition.name.value;
      if (fragments.has(name)) return refusal(`there can be only one fragment named "${name}"`, 'GRAPHQL_VALIDATION_FAILED');
      fragments.set(name, shape);
      if (fragments.size > limits.maxFragments) {
        return refusal(`the document defines more than ${limits.maxFragments} fragments`, 'QUERY_TOO_LARGE', { limit: limits.maxFragments });
      }
    }
    roots.push(shape);
  }

  // Expanded size of each fragment, memoised: linear in the document, whatever the spreads multiply to.
  const expanded = new Map<string, { fields: number; depth: number }>();
  const visiting: string[] = [];
  let cycle: GraphQLError | null = null;
  const expand = (shape: Shape): { fields: number; depth: number } => {
    let fields = shape.fields;
    let depth = shape.depth;
    for (const spread of shape.spreads) {
      if (cycle) break;
      const inner = expandFragment(spread.name);
      fields = Math.min(SATURATED, fields + inner.fields);
      depth = Math.max(depth, Math.min(SATURATED, spread.level + inner.depth));
    }
    return { fields, depth };
  };
  const expandFragment = (name: string): { fields: number; depth: number } => {
    const known = expanded.get(name);
    if (known) return known;
    const shape = fragments.get(name);
    if (!shape) return { fields: 0, depth: 0 }; // unknown: validation names it
    const at = visiting.indexOf(name);
    if (at >= 0) {
      const path = [...visiting.slice(at), name];
      cycle = refusal(`fragment "${name}" spreads itself (${path.join(' → ')}); fragments cannot form cycles`, 'GRAPHQL_VALIDATION_FAILED');
      return { fields: 0, depth: 0 };
    }
    visiting.push(name);
    const result = expand(shape);
    visiting.pop();
    expanded.set(name, result);
    return result;
  };

  let total = 0;
  for (const root of roots) {
    const { fields, depth } = expand(root);
    if (cycle) return cycle;
    total = Math.min(SATURATED, total + fields);
    if (depth > limits.maxExpandedDepth) {
      return refusal(
        `the operation nests fields ${depth >= SATURATED ? 'without bound' : `${depth} levels`} deep with its fragments expanded; the limit is ${limits.maxExpandedDepth}`,
        'QUERY_TOO_LARGE',
        {
          limit: limits.maxExpandedDepth,
        },
      );
    }
  }
  if (total > limits.maxExpandedFields) {
    return refusal(
      `the document asks for ${total >= SATURATED ? 'more than a trillion' : total} fields with its fragments expanded; the limit is ${limits.maxExpandedFields}`,
      'QUERY_TOO_LARGE',
      { limit: limits.maxExpandedFields },
    );
  }
  return null;
}

function shapeOf(definition: ASTNode): Shape {
  const shape: Shape = { fields: 0, depth: 0, spreads: [] };
  let level = 0;
  visit(definition, {
    Field: {
      enter() {
        shape.fields++;
        level++;
        shape.depth = Math.max(shape.depth, level);
      },
      leave() {
        level--;
      },
    },
    FragmentSpread(node) {
      shape.spreads.push({ name: node.name.value, level });
    },
  });
  return shape;
}

/** The operation a request runs, or undefined when the name does not pick one (execution says why). */
export function operationType(document: DocumentNode, operationName: string | null | undefined): OperationTypeNode | undefined {
  return getOperationAST(document, operationName ?? undefined)?.operation;
}

const nulChecked = new WeakMap<DocumentNode, GraphQLError | null>();

/**
 * PostgreSQL cannot store U+0000 in text, and no identifier, name or value of the API needs it:
 * a string literal that holds one is refused, naming its argument.
 */
export function checkDocumentStrings(document: DocumentNode): GraphQLError | null {
  const known = nulChecked.get(document);
  if (known !== undefined) return known;
  let found: GraphQLError | null = null;
  const path: string[] = [];
  visit(document, {
    Field: {
      enter(node) {
        path.push(node.name.value);
      },
      leave() {
        path.pop();
      },
    },
    Argument: {
      enter(node) {
        path.push(`(${node.name.value})`);
      },
      leave() {
        path.pop();
      },
    },
    ObjectField: {
      enter(node) {
        path.push(node.name.value);
      },
      leave() {
        path.pop();
      },
    },
    StringValue(node) {
      if (node.value.includes('\u0000')) {
        const argument = describeArgument(path);
        found = refusal(`${argument} contains a NUL character (\\u0000), which is not allowed`, 'NUL_CHARACTER', { argument });
        return BREAK;
      }
      return undefined;
    },
  });
  nulChecked.set(document, found);
  return found;
}

function describeArgument(path: string[]): string {
  // ["workflow", "(id)"] → argument "id" of field "workflow"; nested input fields follow the argument.
  const at = path.findLastIndex((p) => p.startsWith('('));
  if (at < 0) return 'a string';
  const field = path[at - 1] ?? '?';
  const argument = [path[at]!.slice(1, -1), ...path.slice(at + 1)].join('.');
  return `argument "${argument}" of field "${field}"`;
}

/**
 * Variables: objects and arrays nested at most `maxDepth` deep, no NUL character in any string
 * or key. Walked with an explicit stack, so a value nested 50,000 deep is refused, not a stack overflow.
 */
export function checkVariables(variables: unknown, limits: { maxDepth: number } = VARIABLE_LIMITS): GraphQLError | null {
  if (variables === null || variables === undefined) return null;
  if (typeof variables !== 'object' || Array.isArray(variables)) return refusal('variables must be a JSON object', 'BAD_VARIABLES');
  for (const name of Object.keys(variables)) {
    if (name.includes('\u0000')) return refusal('a variable name contains a NUL character (\\u0000)', 'NUL_CHARACTER');
  }
  const stack: Array<{ value: unknown; path: string; depth: number }> = Object.entries(variables as Record<string, unknown>).map(([name, value]) => ({
    value,
    path: `$${name}`,
    depth: 0,
  }));
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000'))
        return refusal(`variable ${path} contains a NUL character (\\u0000), which is not allowed`, 'NUL_CHARACTER', { argument: path });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= limits.maxDepth) {
      return refusal(`variable ${path.split(/[.[]/)[0]} is nested more than ${limits.maxDepth} levels deep`, 'VARIABLE_TOO_DEEP', { limit: limits.maxDepth });
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
    } else {
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        if (key.includes('\u0000')) return refusal(`variable ${path} has a key with a NUL character (\\u0000)`, 'NUL_CHARACTER', { argument: path });
        stack.push({ value: inner, path: `${path}.${key}`, depth: depth + 1 });
      }
    }
  }
  return null;
}

/** Depth of the JSON text's nesting, scanning characters (no parse, no recursion); stops past `max`. */
export function jsonNestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** True when the text holds a C0 control character or DEL (none belongs in an id, a path or a cursor). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
