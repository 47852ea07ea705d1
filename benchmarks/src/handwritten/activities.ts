import { request } from 'node:http';

export interface JsonResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The hand-written baseline's activity: one HTTP GET with node:http, the body parsed as JSON. */
export function httpGetJson(url: string, timeoutMs: number): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        const status = res.statusCode ?? 0;
        if (status >= 400) return reject(new Error(`HTTP ${status} from GET ${url}`));
        try {
          resolve({ status, headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export const handwrittenActivities = { httpGetJson };
export type HandwrittenActivities = typeof handwrittenActivities;
