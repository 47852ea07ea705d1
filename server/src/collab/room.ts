import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { FANOUT_KINDS, readAccessChange, type FanoutHandler, type FanoutKind } from './fanout.js';
import { awarenessMessage, isEmptyUpdate, permissionDeniedMessage, savedMessage, syncStep1, syncStep2, updateMessage, type ClientMessage } from './protocol.js';
import { applyStoredUpdates, type LoadedDocument, type StoredUpdate } from './store.js';

/** A client socket as a room sees it. */
export interface RoomConnection {
  readonly userId: string;
  readonly readOnly: boolean;
  /** Asked for "saved" acknowledgements (`saved=1`). */
  readonly wantsSaved: boolean;
  send(message: Uint8Array): void;
  close(code: number, reason: string): void;
}

/**
 * Everything a room needs from outside, given when it opens (the way Hocuspocus hands a
 * document its extensions' hooks): storage, the debounced "changed" notice, fan-out to the
 * other API servers, and what to do when another server reports an access change. The room
 * calls them; nothing is set on it afterwards.
 */
export interface RoomHooks {
  /** Reads the stored document: the compacted state and the tail (seeded first when it was never stored). */
  load(): Promise<LoadedDocument>;
  /** What was stored after update `id` that this room may have missed: the updates, and the compacted state when a compaction passed `id`. */
  loadAfter(id: number): Promise<{ state: Uint8Array | null; throughId: number; updates: StoredUpdate[] }>;
  /** Appends accepted updates in one write; they are durable when it resolves. */
  store(updates: readonly Uint8Array[]): Promise<void>;
  /** Storing failed: memory now holds edits storage lacks, so the room must be dropped and reloaded. */
  storeFailed(): void;
  /** Merges the stored tail into the stored state; says how many updates it merged. */
  compact(): Promise<{ merged: number }>;
  /** Edits were stored (debounced by a second, and once more when the room closes), e.g. to refresh the workflow row. */
  changed(doc: Y.Doc): void;
  /** Starts hearing the other servers' traffic for this room; resolves to the function that stops it. */
  joinFanout(receive: FanoutHandler): Promise<() => Promise<void>>;
  /** Relays this server's updates, awareness and awareness queries to the other servers. */
  publish(kind: FanoutKind, payload: Uint8Array): void;
  /** Another server says someone's access changed (`userId`), or the workflow was deleted (null). */
  accessChanged(userId: string | null): void;
  log(line: string): void;
}

export interface RoomLimits {
  /** Stored updates after which the room compacts them into the document's state. */
  compactAfter: number;
  /** Stored size past which the document takes no more edits. */
  maxDocumentBytes: number;
}

/** Updates applied from another server or from the database (already persisted, not relayed again). */
const REMOTE = Symbol('remote');
/** Updates made through the API (updateWorkflowDefinition). */
export const API_ORIGIN = Symbol('api');

interface PendingUpdate {
  from: RoomConnection | typeof API_ORIGIN;
  update: Uint8Array;
  /** The part of `update` the document lacked when it arrived: what is stored. */
  novel: Uint8Array;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * One open document (room = workflow id) on this server: the Yjs document with its
 * history (gc off), the awareness of everyone in it, the sockets connected here, and the
 * relay of changes between them and the other servers.
 *
 * An accepted update is applied and relayed at once, then persisted (group commit: all
 * updates that arrive while a write is in flight go in the next statement); its sender is
 * told "saved" only once it is durable. A client resends whatever was not acknowledged when
 * it reconnects, so a crash between relaying and storing loses nothing.
 */
export class Room {
  readonly doc = new Y.Doc({ gc: false });
  readonly awareness = new Awareness(this.doc);
  readonly connections = new Set<RoomConnection>();
  /** Which awareness client ids each connection speaks for (removed when it leaves). */
  private readonly awarenessOwners = new Map<number, RoomConnection>();
  private pending: PendingUpdate[] = [];
  private writing: Promise<void> | null = null;
  private storedThrough = 0;
  /** Clocks per Yjs client up to which content is stored (what "saved" acknowledgements report). */
  private readonly savedVector = new Map<number, number>();
  private tail = 0;
  /** Bytes stored for this document (state and tail), as far as this server knows. */
  private storedBytes = 0;
  private changedTimer: NodeJS.Timeout | undefined;
  private compacting: Promise<unknown> | null = null;
  private closed = false;
  private leaveFanout: () => Promise<void> = async () => {};

  private constructor(
    readonly workflowId: string,
    private readonly hooks: RoomHooks,
    private readonly limits: RoomLimits,
  ) {
    this.awareness.setLocalState(null); // the server itself is nobody
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      const message = updateMessage(update);
      for (const connection of this.connections) if (connection !== origin) connection.send(message);
      if (origin !== REMOTE) hooks.publish(FANOUT_KINDS.update, update);
    });
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      const changed = [...added, ...updated, ...removed];
      if (changed.length === 0) return;
      const update = encodeAwarenessUpdate(this.awareness, changed);
      // Everyone, the sender too: y-websocket clients take their own echo as a sign of life.
      const message = awarenessMessage(update);
      for (const connection of this.connections) connection.send(message);
      if (origin !== REMOTE) hooks.publish(FANOUT_KINDS.awareness, update);
    });
  }

  /** Joins the fan-out first, then loads: nothing published meanwhile is missed (applying twice is harmless). */
  static async open(workflowId: string, hooks: RoomHooks, limits: RoomLimits): Promise<Room> {
    const room = new Room(workflowId, hooks, limits);
    room.leaveFanout = await hooks.joinFanout((kind, payload) => room.fromFanout(kind, payload));
    try {
      await room.load();
    } catch (error) {
      await room.leaveFanout();
      room.destroy();
      throw error;
    }
    hooks.publish(FANOUT_KINDS.queryAwareness, new Uint8Array());
    return room;
  }

  private async load(): Promise<void> {
    const stored = await this.hooks.load();
    this.applyStored([stored.state, ...stored.updates.map((u) => u.data)]);
    this.storedThrough = Math.max(stored.throughId, ...stored.updates.map((u) => u.id));
    mergeVector(this.savedVector, Y.decodeStateVector(Y.encodeStateVector(this.doc)));
    this.tail = stored.updates.length;
    this.storedBytes = stored.state.byteLength + stored.updates.reduce((sum, u) => sum + u.data.byteLength, 0);
  }

  /** Drops the room without storing anything more (after a failed write). */
  abandon(): void {
    this.closed = true;
    clearTimeout(this.changedTimer);
    void this.leaveFanout();
    this.destroy();
  }

  private applyStored(updates: readonly Uint8Array[]): void {
    applyStoredUpdates(this.doc, updates, REMOTE, (error) =>
      this.hooks.log(`collab: skipped an unreadable stored update of workflow ${this.workflowId}: ${error.message}`),
    );
  }

  /** Reads updates other servers stored that this one may have missed (after a fan-out outage). */
  async catchUp(): Promise<void> {
    const missed = await this.hooks.loadAfter(this.storedThrough);
    // A compaction merged updates this room had not read into the state, and deleted them from the tail.
    if (missed.state) this.applyStored([missed.state]);
    this.applyStored(missed.updates.map((u) => u.data));
    this.storedThrough = Math.max(this.storedThrough, missed.throughId, ...missed.updates.map((u) => u.id));
  }

  /** Sends a new client the document (sync step 1 asks for what it has that the server lacks) and who is here. */
  attach(connection: RoomConnection): void {
    this.connections.add(connection);
    connection.send(syncStep1(this.doc));
    if (this.awareness.getStates().size > 0) connection.send(awarenessMessage(encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()])));
    if (connection.readOnly) connection.send(permissionDeniedMessage('read-only: you are a viewer of this workflow; your edits are not saved'));
  }

  detach(connection: RoomConnection): void {
    if (!this.connections.delete(connection)) return;
    const owned = [...this.awarenessOwners].filter(([, owner]) => owner === connection).map(([id]) => id);
    for (const id of owned) this.awarenessOwners.delete(id);
    if (owned.length > 0) removeAwarenessStates(this.awareness, owned, connection);
  }

  /** Handles one decoded client message; rejects when an update could not be taken (the connection then closes). */
  receive(connection: RoomConnection, message: ClientMessage): Promise<void> | void {
    switch (message.kind) {
      case 'sync-step-1':
        connection.send(syncStep2(this.doc, message.stateVector));
        return;
      case 'update':
        if (connection.readOnly) return; // dropped; the viewer was told at connect time
        return this.submit(connection, message.update);
      case 'awareness':
        this.receiveAwareness(connection, message.update);
        return;
      case 'query-awareness':
        connection.send(awarenessMessage(encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()])));
        return;
    }
  }

  /**
   * Applies and relays an update at once, then persists it; resolves once it is durable.
   * Peers may see an edit before it is stored, but its sender is told "saved" only after.
   */
  submit(from: RoomConnection | typeof API_ORIGIN, update: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the document is being closed; try again'));
    // Only what the document lacks is stored (a reconnecting client resends what it has).
    const novel = Y.diffUpdate(update, Y.encodeStateVector(this.doc));
    if (this.storedBytes + novel.byteLength > this.limits.maxDocumentBytes) {
      return Promise.reject(new DocumentFullError(this.limits.maxDocumentBytes));
    }
    this.storedBytes += novel.byteLength;
    try {
      Y.applyUpdate(this.doc, update, from);
    } catch (error) {
      return Promise.reject(new Error(`the update could not be applied: ${(error as Error).message}`));
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ from, update, novel, resolve, reject });
      // Written after the event loop's I/O turn: relays go out first, and more updates join the batch.
      this.writing ??= new Promise<void>((next) => setImmediate(next)).then(() => this.flush()).finally(() => (this.writing = null));
    });
  }

  /** Waits until every accepted update is durable. */
  async drain(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Group commit: everything that arrived while the previous write was in flight goes in one statement. */
  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      const novel = batch.map((item) => item.novel).filter((update) => !isEmptyUpdate(update));
      try {
        await this.hooks.store(novel);
      } catch (error) {
        this.hooks.log(`collab: could not store ${novel.length} update(s) of workflow ${this.workflowId}: ${(error as Error).message}`);
        for (const item of [...batch, ...this.pending.splice(0)]) item.reject(new Error('the edit could not be saved'));
        // Memory now holds edits the database lacks: start over from storage. Clients reconnect
        // and resend what is missing (nothing they sent was acknowledged as saved).
        this.hooks.storeFailed();
        return;
      }
      this.tail += novel.length;
      const acknowledged = new Set<RoomConnection>();
      for (const item of batch) {
        mergeVector(this.savedVector, Y.parseUpdateMeta(item.update).to);
        if (item.from !== API_ORIGIN && item.from.wantsSaved) acknowledged.add(item.from);
        item.resolve();
      }
      if (acknowledged.size > 0) {
        const saved = savedMessage(Y.encodeStateVector(this.savedVector));
        for (const connection of acknowledged) connection.send(saved);
      }
      if (novel.length > 0) this.scheduleChanged();
      if (this.tail >= this.limits.compactAfter) void this.compact();
    }
  }

  /** Applies a function's changes as one update through the same durable path as a client's. */
  async change(edit: (doc: Y.Doc) => void): Promise<void> {
    const scratch = new Y.Doc({ gc: false });
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(this.doc));
    const before = Y.encodeStateVector(scratch);
    edit(scratch);
    const update = Y.encodeStateAsUpdate(scratch, before);
    scratch.destroy();
    if (!isEmptyUpdate(update)) await this.submit(API_ORIGIN, update);
  }

  compact(): Promise<unknown> {
    this.compacting ??= this.hooks
      .compact()
      .then(({ merged }) => (this.tail = Math.max(0, this.tail - merged)))
      .catch((error: Error) => this.hooks.log(`collab: compacting workflow ${this.workflowId} failed: ${error.message}`))
      .finally(() => (this.compacting = null));
    return this.compacting;
  }

  private scheduleChanged(): void {
    clearTimeout(this.changedTimer);
    this.changedTimer = setTimeout(() => this.hooks.changed(this.doc), 1_000);
    this.changedTimer.unref();
  }

  private receiveAwareness(connection: RoomConnection, update: Uint8Array): void {
    // A client speaks only for its own awareness ids: entries for ids another socket owns are dropped.
    const allowed = filterAwareness(update, (clientId) => {
      const owner = this.awarenessOwners.get(clientId);
      if (owner && owner !== connection) return false;
      this.awarenessOwners.set(clientId, connection);
      return true;
    });
    if (allowed) applyAwarenessUpdate(this.awareness, allowed, connection);
  }

  private fromFanout(kind: FanoutKind, payload: Uint8Array): void {
    if (this.closed) return;
    try {
      if (kind === FANOUT_KINDS.update) {
        Y.applyUpdate(this.doc, payload, REMOTE);
        // Stored by the server it came from (acknowledgements only ever concern a client's own
        // clock, and a client's updates reach storage through the server it is connected to).
        mergeVector(this.savedVector, Y.parseUpdateMeta(payload).to);
      } else if (kind === FANOUT_KINDS.awareness) applyAwarenessUpdate(this.awareness, payload, REMOTE);
      else if (kind === FANOUT_KINDS.queryAwareness) {
        const local = [...this.awarenessOwners.keys()].filter((id) => this.awareness.getStates().has(id));
        if (local.length > 0) this.hooks.publish(FANOUT_KINDS.awareness, encodeAwarenessUpdate(this.awareness, local));
      } else if (kind === FANOUT_KINDS.accessChanged) this.hooks.accessChanged(readAccessChange(payload));
    } catch (error) {
      this.hooks.log(`collab: dropped an unreadable fan-out message for workflow ${this.workflowId}: ${(error as Error).message}`);
    }
  }

  /** Flushes, compacts what is stored, and leaves the fan-out. Connections must be closed first. */
  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    clearTimeout(this.changedTimer);
    if (this.tail > 0) {
      this.hooks.changed(this.doc);
      await this.compact();
    }
    await this.leaveFanout();
    this.destroy();
  }

  private destroy(): void {
    this.awareness.destroy();
    this.doc.destroy();
  }
}

/** The document reached its size limit (history included): no more edits are taken. */
export class DocumentFullError extends Error {
  constructor(limit: number) {
    super(`the document is larger than ${Math.round(limit / 1_000_000)} MB; remove content or start a new workflow`);
  }
}

function mergeVector(into: Map<number, number>, from: Map<number, number>): void {
  for (const [client, clock] of from) if ((into.get(client) ?? 0) < clock) into.set(client, clock);
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

/** Rewrites an awareness update keeping the entries `keep` accepts; null when none is left. Throws when malformed. */
function filterAwareness(update: Uint8Array, keep: (clientId: number) => boolean): Uint8Array | null {
  const decoder = decoding.createDecoder(update);
  const encoder = encoding.createEncoder();
  const count = decoding.readVarUint(decoder);
  const entries: Array<[number, number, string]> = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const state = decoding.readVarString(decoder);
    if (keep(clientId)) entries.push([clientId, clock, state]);
  }
  if (entries.length === 0) return null;
  encoding.writeVarUint(encoder, entries.length);
  for (const [clientId, clock, state] of entries) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, state);
  }
  return encoding.toUint8Array(encoder);
}
