import { createSignal, type Accessor } from 'solid-js';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import * as authProtocol from 'y-protocols/auth';
import * as decoding from 'lib0/decoding';
import type { WebsocketProvider } from 'y-websocket';
import { applyDefinition, COLLAB_MESSAGE, COLLAB_PARAM, docToDefinition } from '@tandem/schema/collab';
import type { WorkflowDefinition } from '@tandem/schema';
import { ApiError, describeError } from '../lib/api';
import { collabTicket, getWorkflow, updateDefinition } from '../lib/queries';
import { createUndoManager, LOCAL } from './doc';
import { dropLocalCopy, keepLocalCopy } from './local-copy';
import { user } from '../lib/session';

export type ConnectionState = 'connecting' | 'online' | 'offline';

/** A workflow's live document and how it reaches the server. */
export interface DocSession {
  doc: Y.Doc;
  awareness: Awareness;
  /** Undo/redo of this user's own changes only (LOCAL origin), kept for the whole visit: the editor and the versions view share it. */
  undoManager: Y.UndoManager;
  /** 'collab': the y-websocket room; 'api': saved with updateWorkflowDefinition (no live co-editing). */
  mode: Accessor<'collab' | 'api'>;
  connection: Accessor<ConnectionState>;
  /** Every local edit is persisted by the server. */
  saved: Accessor<boolean>;
  readOnly: Accessor<boolean>;
  /** Set once the document holds the server's state. */
  ready: Accessor<boolean>;
  error: Accessor<string>;
  destroy(): void;
}

/** True when every local edit of `doc` is covered by the persisted state vector. */
export function coversLocalEdits(doc: Y.Doc, persisted: Map<number, number>): boolean {
  return (persisted.get(doc.clientID) ?? 0) >= Y.getState(doc.store, doc.clientID);
}

/** Waits until the session says every local edit is saved (at most `ms`); says whether they are. */
export async function whenSaved(session: DocSession, ms = 8000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!session.saved() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
  return session.saved();
}

export function openDocSession(workflowId: string): DocSession {
  const doc = new Y.Doc({ gc: false });
  const awareness = new Awareness(doc);
  const undoManager = createUndoManager(doc);
  const [mode, setMode] = createSignal<'collab' | 'api'>('collab');
  const [connection, setConnection] = createSignal<ConnectionState>('connecting');
  const [saved, setSaved] = createSignal(true);
  const [readOnly, setReadOnly] = createSignal(false);
  const [ready, setReady] = createSignal(false);
  const [error, setError] = createSignal('');
  let destroyed = false;
  let provider: WebsocketProvider | undefined;
  let persisted = new Map<number, number>();
  const cleanups: Array<() => void> = [];

  const hasLocalEdits = () => Y.getState(doc.store, doc.clientID) > 0;

  // --- Collaboration room (y-websocket) ---
  const startCollab = async () => {
    const ticket = await collabTicket(workflowId);
    if (destroyed) return;
    setReadOnly(ticket.readOnly);
    // Edits made offline in an earlier visit are in the local copy: load it before the first sync.
    const me = user();
    if (me && !ticket.readOnly) {
      const release = await keepLocalCopy(me.id, workflowId, doc).catch(() => () => {});
      if (destroyed) {
        release();
        return;
      }
      cleanups.push(release);
    } else if (me) {
      void dropLocalCopy(me.id, workflowId);
    }
    const { WebsocketProvider } = await import('y-websocket');
    if (destroyed) return;
    const url = new URL(ticket.url, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : url.protocol === 'http:' ? 'ws:' : url.protocol;
    provider = new WebsocketProvider(url.toString(), ticket.room, doc, {
      awareness,
      params: { [COLLAB_PARAM.ticket]: ticket.ticket, [COLLAB_PARAM.saved]: '1' },
    });
    const p = provider;
    // The server's "saved" acknowledgement: a Yjs state vector it has persisted.
    p.messageHandlers[COLLAB_MESSAGE.saved] = (_encoder, decoder) => {
      persisted = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
      setSaved(coversLocalEdits(doc, persisted));
    };
    p.messageHandlers[COLLAB_MESSAGE.auth] = (_encoder, decoder) => {
      authProtocol.readAuthMessage(decoder, doc, () => setReadOnly(true));
    };
    p.on('status', ({ status }: { status: string }) => {
      setConnection(status === 'connected' ? 'online' : status === 'connecting' ? 'connecting' : 'offline');
    });
    p.on('sync', (synced: boolean) => {
      if (synced) setReady(true);
    });
    // Tickets are short-lived and checked when the socket opens: each reconnect gets a new one.
    let refreshing = false;
    const reconnect = async () => {
      if (refreshing || destroyed) return;
      refreshing = true;
      p.disconnect();
      let delay = 500;
      while (!destroyed) {
        try {
          const next = await collabTicket(workflowId);
          setReadOnly(next.readOnly);
          p.params[COLLAB_PARAM.ticket] = next.ticket;
          p.connect();
          break;
        } catch (e) {
          setConnection('offline');
          if (e instanceof ApiError && (e.code === 'FORBIDDEN' || e.code === 'NOT_FOUND' || e.code === 'UNAUTHENTICATED')) {
            setError(describeError(e));
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, delay));
          delay = Math.min(10_000, delay * 2);
        }
      }
      refreshing = false;
    };
    p.on('connection-close', (event: CloseEvent | null) => {
      if (event !== null) void reconnect();
    });
    p.on('closed', () => void reconnect());
    // The browser knows before the socket does: go offline at once, reconnect when back.
    const onOnline = () => void reconnect();
    const onOffline = () => {
      p.disconnect();
      setConnection('offline');
    };
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    cleanups.push(() => {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
    });
  };

  // --- Fallback without a collaboration endpoint: the document is saved through the API ---
  const startApi = async () => {
    setMode('api');
    const workflow = await getWorkflow(workflowId);
    if (destroyed) return;
    applyDefinition(doc, workflow.definition as WorkflowDefinition, 'server');
    setReady(true);
    setConnection('online');
    let timer: ReturnType<typeof setTimeout> | undefined;
    let saving = Promise.resolve();
    const save = () => {
      saving = saving.then(async () => {
        const clock = Y.getState(doc.store, doc.clientID);
        try {
          await updateDefinition(workflowId, docToDefinition(doc));
          setConnection('online');
          if (Y.getState(doc.store, doc.clientID) === clock) setSaved(true);
          setError('');
        } catch (e) {
          setConnection(e instanceof ApiError && e.code === 'NETWORK' ? 'offline' : 'online');
          setError(`Not saved: ${describeError(e)}`);
          timer = setTimeout(save, 3000);
        }
      });
    };
    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      if (origin !== LOCAL && !(origin instanceof Y.UndoManager)) return;
      setSaved(false);
      clearTimeout(timer);
      timer = setTimeout(save, 400);
    };
    doc.on('update', onUpdate);
    cleanups.push(() => {
      clearTimeout(timer);
      doc.off('update', onUpdate);
    });
  };

  // Local edits change the saved state at once; the acknowledgement clears it.
  const onLocalUpdate = (_update: Uint8Array, origin: unknown) => {
    if (mode() === 'collab' && provider && origin !== provider) setSaved(coversLocalEdits(doc, persisted) || !hasLocalEdits());
  };
  doc.on('update', onLocalUpdate);
  cleanups.push(() => doc.off('update', onLocalUpdate));

  void startCollab().catch((e: unknown) => {
    if (destroyed) return;
    // A server without the collaboration endpoint (the mutation is unknown): edit through the API.
    if (e instanceof ApiError && (e.code === 'GRAPHQL_VALIDATION_FAILED' || /collabTicket/.test(e.message))) {
      void startApi().catch((err: unknown) => setError(describeError(err)));
    } else {
      setError(describeError(e));
      setConnection('offline');
    }
  });

  return {
    doc,
    awareness,
    undoManager,
    mode,
    connection,
    saved,
    readOnly,
    ready,
    error,
    destroy() {
      destroyed = true;
      for (const cleanup of cleanups) cleanup();
      awareness.setLocalState(null);
      undoManager.destroy();
      provider?.destroy();
      awareness.destroy();
      doc.destroy();
    },
  };
}
