import type { InterpreterActivities } from '../workflows/types.js';
import { performHttpRequest, type HttpActivityOptions } from './http-request.js';
import { NetworkPolicy } from './network-policy.js';

export { NetworkPolicy } from './network-policy.js';
export type { HttpActivityOptions } from './http-request.js';

export interface ActivityOptions {
  http?: Partial<HttpActivityOptions>;
}

export function createActivities(options: ActivityOptions = {}): InterpreterActivities {
  const http: HttpActivityOptions = {
    policy: options.http?.policy ?? new NetworkPolicy(),
    maxResponseBytes: options.http?.maxResponseBytes ?? 1_000_000,
    maxRedirects: options.http?.maxRedirects ?? 5,
    maxRequestBytes: options.http?.maxRequestBytes ?? 1_000_000,
  };
  return {
    httpRequest: (input) => performHttpRequest(input, http),
  };
}
