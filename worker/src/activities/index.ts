import type { InterpreterActivities } from '../workflows/types.js';
import { performHttpRequest, type HttpActivityOptions } from './http-request.js';
import { NetworkPolicy } from './network-policy.js';
import type { SecretResolver } from './secrets.js';

export { NetworkPolicy } from './network-policy.js';
export type { HttpActivityOptions } from './http-request.js';
export { Masker, type SecretResolver } from './secrets.js';

export interface ActivityOptions {
  http?: Partial<HttpActivityOptions>;
  /** Where http.request reads the values of `secrets.NAME` (the run owner's secrets). */
  secrets?: SecretResolver;
}

export function createActivities(options: ActivityOptions = {}): InterpreterActivities {
  const http: HttpActivityOptions = {
    policy: options.http?.policy ?? new NetworkPolicy(),
    maxResponseBytes: options.http?.maxResponseBytes ?? 1_000_000,
    maxRedirects: options.http?.maxRedirects ?? 5,
    maxRequestBytes: options.http?.maxRequestBytes ?? 1_000_000,
  };
  const secrets = options.secrets ?? options.http?.secrets;
  if (secrets) http.secrets = secrets;
  return {
    httpRequest: (input) => performHttpRequest(input, http),
  };
}
