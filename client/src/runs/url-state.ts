/**
 * The moment a replay link shows: `?at=<sequence>&node=<id>`. Parsing is strict (every client
 * input is untrusted): a value that is not what it should be is dropped and named in `problem`.
 */
export interface Moment {
  /** The sequence of the last event applied at the cursor; absent: the live end. */
  at?: number;
  /** The node selected in the inspector. */
  node?: string;
}

const NODE_ID = /^[A-Za-z0-9_.:-]{1,200}$/;

export function parseMoment(params: { at?: string | string[] | undefined; node?: string | string[] | undefined }): { moment: Moment; problem?: string } {
  const moment: Moment = {};
  const problems: string[] = [];
  const at = Array.isArray(params.at) ? params.at[0] : params.at;
  const node = Array.isArray(params.node) ? params.node[0] : params.node;
  if (at !== undefined && at !== '') {
    if (/^\d{1,15}$/.test(at)) moment.at = Number(at);
    else problems.push(`"at=${at.slice(0, 40)}" is not an event number (a whole number such as at=12)`);
  }
  if (node !== undefined && node !== '') {
    if (NODE_ID.test(node)) moment.node = node;
    else problems.push(`"node=${node.slice(0, 40)}" is not a node id`);
  }
  return problems.length ? { moment, problem: `This link's moment is not valid: ${problems.join('; ')}. Showing the run without it.` } : { moment };
}

/** The search parameters for a moment (undefined removes one). */
export function momentParams(moment: Moment): { at: string | undefined; node: string | undefined } {
  return { at: moment.at === undefined ? undefined : String(moment.at), node: moment.node };
}
