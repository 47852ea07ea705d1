/** GraphQL over HTTP, as any API client sends it. */

export interface GraphqlError {
  message: string;
  extensions?: { code?: string };
}

export function graphqlRequest(token: string | null, query: string, variables: Record<string, unknown> = {}): RequestInit & { method: string } {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  };
}

/** Sends one operation to `<url>/graphql`; throws on an HTTP error status or GraphQL errors. */
export async function gql<T>(url: string, token: string | null, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${url}/graphql`, graphqlRequest(token, query, variables));
  const text = await response.text();
  let body: { data?: T | null; errors?: GraphqlError[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
  if (body.errors?.length || !body.data) {
    throw new Error(`HTTP ${response.status}: ${(body.errors ?? []).map((e) => `${e.extensions?.code ?? ''} ${e.message}`.trim()).join('; ') || 'no data'}`);
  }
  return body.data;
}
