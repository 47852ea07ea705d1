/**
 * The collaboration socket's protocol (`/collab/<workflow id>`), shared by the server that
 * speaks it and the web client: message types, the query parameters a client sends, and the
 * close codes with their meaning. Constants only; the encoding is y-protocols' (lib0).
 */

/** Message types of the y-websocket protocol, plus Tandem's opt-in "saved" acknowledgement. */
export const COLLAB_MESSAGE = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
  /** [100][varUint8Array: the Yjs state vector the server has persisted]; sent only to clients that asked with `saved=1`. */
  saved: 100,
} as const;

/** Query parameters of the socket URL. */
export const COLLAB_PARAM = {
  /** The short-lived ticket from the `collabTicket` mutation. */
  ticket: 'ticket',
  /** `saved=1` asks for "saved" acknowledgements. */
  saved: 'saved',
} as const;

/**
 * Close codes with the reason a client can show. y-websocket clients take 4400-4499 as
 * final (they stop); every other code makes them reconnect.
 */
export const COLLAB_CLOSE = {
  /** A malformed message or Yjs update. */
  malformed: 4400,
  /** The ticket is missing, malformed, forged, expired, or for another workflow. */
  unauthenticated: 4401,
  /** No access to the workflow, or access was removed. */
  forbidden: 4403,
  /** The workflow was deleted. */
  workflowDeleted: 4404,
  /** The document reached its size limit. */
  documentFull: 4413,
  /** More messages or bytes than the rate limit. */
  rateLimited: 4429,
  /** The user's role changed: reconnect with the new role. */
  accessChanged: 4001,
  /** The server is shutting down: reconnect (to another server). */
  shuttingDown: 1001,
  /** The document could not be loaded, or an edit could not be stored: reconnect to a fresh load. */
  internalError: 1011,
} as const;

export type CollabCloseCode = (typeof COLLAB_CLOSE)[keyof typeof COLLAB_CLOSE];
