// The fallback load generator, used when k6 is not available: `clients` loops, each sending
// one request at a time on its own keep-alive connection (node:http), in a child Node process
// so that the load generator does not share the server's event loop.
import { runChild } from './child.js';
import type { LoadFigures } from './loops.js';
import type { ReadQuery } from './queries.js';

export interface HttpLoadSpec {
  /** `<server url>/graphql` */
  endpoint: string;
  /** Bearer token; empty: anonymous. */
  token: string;
  read: ReadQuery;
  clients: number;
  warmupSeconds: number;
  seconds: number;
}

export function runNodeLoad(spec: HttpLoadSpec): Promise<LoadFigures> {
  return runChild<LoadFigures>(new URL('./node-load-child.ts', import.meta.url), spec);
}
