import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { docToDefinition, type WorkflowDocMaps, docMaps } from '@tandem/schema/collab';
import type { WorkflowDefinition } from '@tandem/schema';
import { eventually } from '../../test-support/eventually.js';
import type { Api } from './api-harness.js';

export interface Ticket {
  url: string;
  room: string;
  ticket: string;
  expiresAt: string;
  readOnly: boolean;
}

export async function ticketFor(api: Api, token: string, workflowId: string): Promise<Ticket> {
  const result = await api.gql<{ collabTicket: Ticket }>(
    'mutation($id: ID!) { collabTicket(workflowId: $id) { url room ticket expiresAt readOnly } }',
    { id: workflowId },
    token,
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.collabTicket;
}

/** A standard y-websocket client (the same provider a browser uses), with what the tests watch. */
export interface Editor {
  doc: Y.Doc;
  provider: WebsocketProvider;
  maps: WorkflowDocMaps;
  /** Reasons of permission-denied messages received. */
  denied: string[];
  /** Close events the server sent. */
  closes: Array<{ code: number; reason: string }>;
  definition(): WorkflowDefinition;
  /** Resolves when the server says every local edit is persisted. */
  saved(): Promise<void>;
  destroy(): void;
}

export async function connectEditor(api: Api, token: string, workflowId: string, options: { connect?: boolean } = {}): Promise<Editor> {
  const ticket = await ticketFor(api, token, workflowId);
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(ticket.url, ticket.room, doc, {
    params: { ticket: ticket.ticket, saved: '1' },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200,
    connect: options.connect ?? true,
  });
  const denied: string[] = [];
  const closes: Array<{ code: number; reason: string }> = [];
  let persisted = new Map<number, number>();
  const waiters: Array<() => void> = [];
  const isSaved = () => (persisted.get(doc.clientID) ?? 0) >= (Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID) ?? 0);
  provider.messageHandlers[2] = (_encoder, decoder) => {
    decoding.readVarUint(decoder); // permission denied
    denied.push(decoding.readVarString(decoder));
  };
  provider.messageHandlers[100] = (_encoder, decoder) => {
    persisted = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
    if (isSaved()) waiters.splice(0).forEach((resolve) => resolve());
  };
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: event.reason });
  });
  if (options.connect ?? true) await synced(provider);
  return {
    doc,
    provider,
    maps: docMaps(doc),
    denied,
    closes,
    definition: () => docToDefinition(doc),
    saved: () => (isSaved() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

export function synced(provider: WebsocketProvider, timeoutMs = 10_000): Promise<void> {
  if (provider.synced) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('not synced in time')), timeoutMs);
    provider.once('sync', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Waits until every document holds the same content. */
export async function converged(docs: Y.Doc[], timeoutMs = 15_000): Promise<void> {
  await eventually(
    () => {
      const first = JSON.stringify(docToDefinition(docs[0]!));
      return docs.every((doc) => JSON.stringify(docToDefinition(doc)) === first);
    },
    { timeoutMs, what: 'convergence' },
  );
}

/** A raw socket to watch exactly what the server sends (and when it closes). */
export function rawSocket(url: string): Promise<{ messages: Uint8Array[]; close: { code: number; reason: string }; opened: boolean }> {
  return new Promise((resolve) => {
    const messages: Uint8Array[] = [];
    let opened = false;
    const socket = new WebSocket(url);
    socket.on('open', () => (opened = true));
    socket.on('message', (data: Buffer) => messages.push(new Uint8Array(data)));
    socket.on('close', (code, reason) => resolve({ messages, close: { code, reason: reason.toString() }, opened }));
    socket.on('error', () => {});
  });
}

export function moveNode(editor: Editor, nodeId: string, x: number, y: number): void {
  editor.maps.nodes.get(nodeId)!.set('position', { x, y });
}

export function addNode(editor: Editor, id: string, type = 'transform', config: Record<string, unknown> = { expression: '1' }): void {
  editor.doc.transact(() => {
    const node = new Y.Map<unknown>();
    node.set('type', type);
    node.set('position', { x: 0, y: 0 });
    const configMap = new Y.Map<unknown>();
    for (const [key, value] of Object.entries(config)) configMap.set(key, value);
    node.set('config', configMap);
    editor.maps.nodes.set(id, node);
  });
}
