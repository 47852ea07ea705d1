import type { ApiProblem } from '../lib/api';

/**
 * `instantiateTemplate` answers BAD_USER_INPUT with one problem per bad parameter, each naming it
 * (`parameter "approvers" is required`, `parameter "cron": cron must have five fields…`,
 * `unknown parameter "x"`). This sorts them by the parameter they name, so a form can show each
 * next to its field; the others stay for a list under the form.
 */
export function problemsByParameter(problems: readonly ApiProblem[], names: readonly string[]): { byName: Map<string, string[]>; rest: ApiProblem[] } {
  const known = new Set(names);
  const byName = new Map<string, string[]>();
  const rest: ApiProblem[] = [];
  for (const problem of problems) {
    const match = /parameter "([^"]+)"(:\s*([\s\S]*))?/.exec(problem.message);
    const name = match?.[1];
    if (name !== undefined && known.has(name) && !problem.nodeId) {
      // `parameter "x": <what the node's config says>` keeps only what follows the colon.
      const detail = match![3]?.trim();
      byName.set(name, [...(byName.get(name) ?? []), sentence(detail || problem.message)]);
    } else {
      rest.push(problem);
    }
  }
  return { byName, rest };
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
