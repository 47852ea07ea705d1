import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { JsonValue } from '@tandem/schema';
import { HTTP_FAILURE, type HttpRequestInput, type HttpResponseOutput } from '../workflows/types.js';
import type { NetworkPolicy } from './network-policy.js';
import { revealSecrets, type RevealedRequest, type SecretResolver } from './secrets.js';

export interface HttpActivityOptions {
  policy: NetworkPolicy;
  /** Values of `secrets.NAME` placeholders; without one, a request that uses a secret fails. */
  secrets?: SecretResolver;
  /** Largest response body read, in bytes; a larger one fails the step. */
  maxResponseBytes: number;
  maxRedirects: number;
  maxRequestBytes: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Performs one HTTP request for an http.request node, refusing targets the policy forbids.
 * Secrets are filled in here, and hidden again in the response and in any failure.
 */
export async function performHttpRequest(input: HttpRequestInput, options: HttpActivityOptions): Promise<HttpResponseOutput> {
  const revealed = await revealSecrets(input, options.secrets);
  if (!revealed) return send(input, options, null);
  try {
    return revealed.mask.json((await send(revealed.request, options, revealed)) as unknown as JsonValue) as unknown as HttpResponseOutput;
  } catch (error) {
    throw revealed.mask.error(error);
  }
}

async function send(input: HttpRequestInput, options: HttpActivityOptions, secrets: RevealedRequest | null): Promise<HttpResponseOutput> {
  let url = parseUrl(input.url);
  let method = input.method.toUpperCase();
  const headers = { ...input.headers };
  let body = encodeBody(input.body, headers, options.maxRequestBytes);
  const deadline = Date.now() + input.timeoutMs;
  const signal = activitySignal();
  // Heartbeats carry cancellation to a running activity (a cancelled run stops its request).
  const heartbeat = startHeartbeat();
  try {
    return await follow();
  } finally {
    if (heartbeat) clearInterval(heartbeat);
  }

  async function follow(): Promise<HttpResponseOutput> {
    for (let redirects = 0; ; redirects++) {
      const response = await sendOnce(url, method, headers, body, deadline, options, signal);
      if (REDIRECTS.has(response.status) && response.location) {
        if (redirects >= options.maxRedirects) throw nonRetryable(HTTP_FAILURE.invalidRequest, `more than ${options.maxRedirects} redirects`);
        const next = parseUrl(new URL(response.location, url).toString());
        if (secrets && next.origin !== url.origin) {
          // Like browsers with Authorization: a secret is not handed on to another origin.
          for (const name of Object.keys(headers)) if (secrets.secretHeaders.has(name.toLowerCase())) delete headers[name];
          const resent = response.status === 307 || response.status === 308 || !(response.status === 303 || method === 'POST');
          if (secrets.secretBody && body && resent) {
            throw nonRetryable(HTTP_FAILURE.invalidRequest, `redirected to ${next.origin}: the body holds a secret and is not sent to another origin`);
          }
        }
        url = next;
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      const output: HttpResponseOutput = { status: response.status, headers: response.headers, body: response.body };
      if (input.failOnHttpError && response.status >= 400) {
        const message = `HTTP ${response.status} from ${method} ${url.origin}${url.pathname}`;
        const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
        throw ApplicationFailure.create({
          type: retryable ? HTTP_FAILURE.serverError : HTTP_FAILURE.clientError,
          message,
          nonRetryable: !retryable,
          details: [{ status: response.status, body: truncateForError(response.body) }],
        });
      }
      return output;
    }
  }
}

/**
 * Heartbeats from the request's first second on. Temporal sends a first heartbeat at once (each
 * a call to the server, which stores it): most requests are answered before a second is out
 * and need none, and a longer one still hears of cancellation within about a second.
 */
function startHeartbeat(): NodeJS.Timeout | undefined {
  try {
    const context = Context.current();
    return setInterval(() => context.heartbeat(), 1_000);
  } catch {
    return undefined; // outside an activity
  }
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: JsonValue;
  location: string | undefined;
}

function sendOnce(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  deadline: number,
  options: HttpActivityOptions,
  signal: AbortSignal | undefined,
): Promise<RawResponse> {
  const { policy } = options;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const hostAllowed = policy.isHostAllowed(host);
  if (isIP(host) && !hostAllowed) {
    const refusal = policy.refusal(host);
    if (refusal) return Promise.reject(nonRetryable(HTTP_FAILURE.blockedTarget, `refused ${url.origin}: ${refusal}`));
  }
  // Checking the addresses DNS returns (not just the name) stops rebinding tricks and names that point inside.
  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const usable = hostAllowed ? addresses : addresses.filter((a) => policy.refusal(a.address) === null);
      if (usable.length === 0) {
        const first = addresses[0]?.address ?? hostname;
        const refusal = new Error(`refused ${url.origin}: ${policy.refusal(first) ?? 'no allowed address'}`);
        (refusal as NodeJS.ErrnoException).code = 'TANDEM_BLOCKED';
        return callback(refusal, '', 0);
      }
      if (lookupOptions.all) return callback(null, usable as unknown as string, 0);
      return callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
  const remaining = Math.max(1, deadline - Date.now());
  const requestOptions: RequestOptions = {
    method,
    headers: { 'user-agent': 'Tandem', ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
    lookup: guardedLookup,
    agent: agentsFor(policy)[url.protocol === 'https:' ? 'https' : 'http'],
    timeout: remaining,
  };
  const requester = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<RawResponse>((resolve, reject) => {
    const timer = setTimeout(() => req.destroy(retryable(HTTP_FAILURE.timeout, `no complete response within ${remaining} ms`)), remaining);
    const req = requester(url, requestOptions, (res) => {
      readBody(res, options.maxResponseBytes).then(
        (raw) => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res), body: decodeBody(raw, res), location: res.headers.location });
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
    // The last word is the address the socket is actually connected to: checked before the
    // request is written, on new connections and on pooled ones alike.
    req.on('socket', (socket) => {
      if (hostAllowed) return;
      const check = () => {
        const address = socket.remoteAddress;
        const refusal = address === undefined ? 'the connected address is unknown' : policy.refusal(address);
        if (refusal) req.destroy(nonRetryable(HTTP_FAILURE.blockedTarget, `refused ${url.origin}: ${refusal}`));
      };
      if (socket.connecting) socket.once('connect', check);
      else check();
    });
    req.on('timeout', () => req.destroy(retryable(HTTP_FAILURE.timeout, `no response within ${remaining} ms`)));
    // The run's cancellation aborts the request. A listener of our own: Node's `signal` option
    // of http.request costs about as much as the rest of sending a short request.
    const cancel = () => req.destroy(retryable(HTTP_FAILURE.network, 'request cancelled'));
    signal?.addEventListener('abort', cancel, { once: true });
    if (signal?.aborted) cancel();
    req.on('close', () => signal?.removeEventListener('abort', cancel));
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error instanceof ApplicationFailure) return reject(error);
      if (error.code === 'TANDEM_BLOCKED') return reject(nonRetryable(HTTP_FAILURE.blockedTarget, error.message));
      reject(retryable(HTTP_FAILURE.network, `${method} ${url.origin}: ${error.code ?? error.message}`));
    });
    req.end(body);
  });
}

/**
 * Connection pools of one policy, apart from Node's global agents: a keep-alive socket that
 * other code in the process opened (say to the API on localhost) is never handed to a workflow.
 */
const AGENTS = new WeakMap<NetworkPolicy, { http: HttpAgent; https: HttpsAgent }>();

function agentsFor(policy: NetworkPolicy): { http: HttpAgent; https: HttpsAgent } {
  let agents = AGENTS.get(policy);
  if (!agents) {
    // The options of Node's global agents, which requests used before.
    const options = { keepAlive: true, scheduling: 'lifo', timeout: 5_000 } as const;
    agents = { http: new HttpAgent(options), https: new HttpsAgent(options) };
    AGENTS.set(policy, agents);
  }
  return agents;
}

function readBody(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      return reject(nonRetryable(HTTP_FAILURE.tooLarge, `response is ${declared} bytes; the limit is ${maxBytes}`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        reject(nonRetryable(HTTP_FAILURE.tooLarge, `response is larger than the limit of ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', (error) => reject(retryable(HTTP_FAILURE.network, `response interrupted: ${error.message}`)));
  });
}

function decodeBody(raw: Buffer, res: IncomingMessage): JsonValue {
  if (raw.length === 0) return null;
  const text = raw.toString('utf8');
  const type = res.headers['content-type'] ?? '';
  if (/[/+]json\b/i.test(type)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return text;
    }
  }
  return text;
}

function encodeBody(body: JsonValue | undefined, headers: Record<string, string>, maxBytes: number): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  const isText = typeof body === 'string';
  if (!isText && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const buffer = Buffer.from(isText ? body : JSON.stringify(body));
  if (buffer.length > maxBytes) throw nonRetryable(HTTP_FAILURE.invalidRequest, `request body is larger than ${maxBytes} bytes`);
  return buffer;
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw nonRetryable(HTTP_FAILURE.invalidRequest, `"${text.slice(0, 200)}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw nonRetryable(HTTP_FAILURE.invalidRequest, `only http and https URLs are allowed, not ${url.protocol}`);
  }
  if (url.username || url.password) throw nonRetryable(HTTP_FAILURE.invalidRequest, 'credentials in the URL are not allowed; use a header');
  return url;
}

function flattenHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined || name === 'set-cookie') continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function truncateForError(body: JsonValue): JsonValue {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : body;
}

function activitySignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // called outside an activity, e.g. from a benchmark
  }
}

function nonRetryable(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

function retryable(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: false });
}
