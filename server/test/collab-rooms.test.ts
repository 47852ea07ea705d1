import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createWorkflowDoc } from '@tandem/schema/collab';
import { accessChangePayload, FANOUT_KINDS, type CollabFanout, type FanoutHandler, type FanoutKind } from '../src/collab/fanout.js';
import type { RoomConnection } from '../src/collab/room.js';
import { RoomRegistry } from '../src/collab/room-registry.js';
import type { DocumentStore, LoadedDocument } from '../src/collab/store.js';

/** A socket that records what the room sends it and how it was closed. */
function connection(userId: string): RoomConnection & { closes: Array<{ code: number; reason: string }> } {
  const closes: Array<{ code: number; reason: string }> = [];
  return { userId, readOnly: false, wantsSaved: true, closes, send() {}, close: (code, reason) => void closes.push({ code, reason }) };
}

/** A fan-out that keeps each room's handler, so a test can speak as another server. */
class RecordingFanout implements CollabFanout {
  readonly handlers = new Map<string, FanoutHandler>();
  readonly published: Array<{ room: string; kind: FanoutKind }> = [];
  async join(room: string, handler: FanoutHandler): Promise<() => Promise<void>> {
    this.handlers.set(room, handler);
    return async () => void this.handlers.delete(room);
  }
  publish(room: string, kind: FanoutKind): void {
    this.published.push({ room, kind });
  }
  onResume(): void {}
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

function registry(store: Partial<DocumentStore>, fanout = new RecordingFanout()) {
  const state = Y.encodeStateAsUpdate(createWorkflowDoc());
  const load = async (): Promise<LoadedDocument> => ({ state, throughId: 0, updates: [] });
  const logged: string[] = [];
  const rooms = new RoomRegistry({
    store: store as DocumentStore,
    fanout,
    load,
    changed: () => {},
    idleUnloadMs: 60_000,
    compactAfter: 500,
    maxDocumentBytes: 1_000_000,
    log: (line) => logged.push(line),
  });
  return { rooms, fanout, logged };
}

/** An edit to the document the room holds, as a client would send it. */
function editOf(doc: Y.Doc): Uint8Array {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const before = Y.encodeStateVector(copy);
  copy.getMap('meta').set('name', 'edited');
  return Y.encodeStateAsUpdate(copy, before);
}

describe('collaboration rooms and their hooks', () => {
  it('drops a room whose write failed: its sockets close with 1011 and the next open loads afresh', async () => {
    const { rooms, logged } = registry({ append: async () => Promise.reject(new Error('disk full')) });
    const room = await rooms.open('w1');
    const ada = connection('ada');
    rooms.attach(room, ada);

    await expect(room.submit(ada, editOf(room.doc))).rejects.toThrow('the edit could not be saved');
    expect(ada.closes).toEqual([{ code: 1011, reason: 'the edit could not be saved; reconnecting' }]);
    expect(rooms.get('w1')).toBeUndefined();
    expect(logged.some((line) => line.includes('disk full'))).toBe(true);
    const reopened = await rooms.open('w1');
    expect(reopened).not.toBe(room);
    await rooms.close();
  });

  it('closes sockets when another server reports an access change or a deletion, and publishes its own', async () => {
    const { rooms, fanout } = registry({ append: async () => {}, compact: async () => ({ merged: 0 }) });
    const room = await rooms.open('w2');
    const [ada, bob, eve] = [connection('ada'), connection('bob'), connection('eve')];
    for (const c of [ada, bob, eve]) rooms.attach(room, c);

    fanout.handlers.get('w2')!(FANOUT_KINDS.accessChanged, accessChangePayload('bob'));
    expect(bob.closes).toEqual([{ code: 4001, reason: 'your access to this workflow changed' }]);
    expect(ada.closes).toEqual([]);

    rooms.accessChanged('w2', 'eve', null);
    expect(eve.closes).toEqual([{ code: 4403, reason: 'your access to this workflow was removed' }]);
    expect(fanout.published).toContainEqual({ room: 'w2', kind: FANOUT_KINDS.accessChanged });

    fanout.handlers.get('w2')!(FANOUT_KINDS.accessChanged, accessChangePayload(null));
    expect(ada.closes).toEqual([{ code: 4404, reason: 'the workflow was deleted' }]);
    await rooms.close();
  });
});
