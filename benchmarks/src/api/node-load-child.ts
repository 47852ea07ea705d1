// Child process of the fallback load generator (node-load.ts): runs the read phase given in
// its input and prints its figures as one JSON line.
import { Agent, request } from 'node:http';
import { childInput, childResult } from './child.js';
import { graphqlRequest } from './http.js';
import { checkReadBody, timedLoops } from './loops.js';
import type { HttpLoadSpec } from './node-load.js';

const spec = childInput<HttpLoadSpec>();
// Exactly one keep-alive connection per client, as k6's VUs have. (fetch's pool opens extra
// connections now and then, and a saturated server accepts a new one only after a long wait.)
const agent = new Agent({ keepAlive: true, maxSockets: spec.clients });
const init = graphqlRequest(spec.token || null, spec.read.query, spec.read.variables);
const body = Buffer.from(init.body as string);
const headers = { ...(init.headers as Record<string, string>), 'content-length': String(body.length) };

function post(): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(spec.endpoint, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const figures = await timedLoops(spec, async () => {
  const response = await post();
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${response.text.slice(0, 200)}`);
  checkReadBody(JSON.parse(response.text), spec.read.field);
});
agent.destroy();
childResult(figures);
