// The baseline: the same operation run by graphql's execute() in this process, against the
// server's own schema and services, with a context built as server/src/http/app.ts's
// contextFor builds it. No HTTP, no Apollo, no token lookup: what the resolvers and the
// database cost on their own.
import { randomUUID } from 'node:crypto';
import { execute, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { checkComplexity, type ApiContext, type Services, type User } from '@tandem/server/internals';
import { summarize, type Summary } from '../stats.js';
import { checkReadBody, timedLoops, type LoadFigures, type LoopOptions } from './loops.js';
import type { ReadQuery } from './queries.js';

export interface BareContext {
  schema: GraphQLSchema;
  services: Services;
  user: User;
  token: string;
}

/** The seeded user, looked up from its token the way every HTTP request does. */
export async function bareContext(schema: GraphQLSchema, services: Services, token: string): Promise<BareContext> {
  const user = await services.accounts.userForToken(token);
  if (!user) throw new Error('the seeded token does not authenticate');
  return { schema, services, user, token };
}

function contextValue(bare: BareContext): ApiContext {
  return { requestId: randomUUID(), user: bare.user, token: bare.token, services: bare.services };
}

async function executeOnce(bare: BareContext, document: DocumentNode, read: ReadQuery): Promise<void> {
  const result = await execute({ schema: bare.schema, document, variableValues: read.variables, contextValue: contextValue(bare) });
  checkReadBody(result, read.field);
}

/** `clients` loops of execute(), like the HTTP clients but in process (the document is parsed once, as Apollo caches it). */
export function runBareLoad(bare: BareContext, read: ReadQuery, options: LoopOptions): Promise<LoadFigures> {
  const document = parse(read.query);
  return timedLoops(options, () => executeOnce(bare, document, read));
}

/** Parts of an HTTP request's work that the bare baseline leaves out, each timed alone, one at a time. */
export interface OverheadParts {
  /** `AccountService.userForToken`: what contextFor does per request (token and user lookups). */
  tokenLookup: Summary;
  /** `checkComplexity` on the read's document: Apollo's didResolveOperation hook, per request. */
  complexity: Record<string, Summary>;
}

async function timeEach(iterations: number, once: () => unknown): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const startedAt = performance.now();
    await once();
    samples.push(performance.now() - startedAt);
  }
  return summarize(samples);
}

export async function measureOverheadParts(bare: BareContext, reads: readonly ReadQuery[], iterations: number): Promise<OverheadParts> {
  await timeEach(Math.ceil(iterations / 5), () => bare.services.accounts.userForToken(bare.token));
  const tokenLookup = await timeEach(iterations, () => bare.services.accounts.userForToken(bare.token));
  const complexity: Record<string, Summary> = {};
  for (const read of reads) {
    const document = parse(read.query);
    await timeEach(Math.ceil(iterations / 5), () => checkComplexity(bare.schema, document, read.variables));
    complexity[read.id] = await timeEach(iterations, () => checkComplexity(bare.schema, document, read.variables));
  }
  return { tokenLookup, complexity };
}
