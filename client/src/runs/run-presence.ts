import { createEffect, createSignal, on, onCleanup, type Accessor } from 'solid-js';
import { colorFor, type PresenceState } from '../editor/presence';
import { openDocSession, type DocSession } from '../editor/sync';
import { user } from '../lib/session';

/**
 * Debug together: people looking at the same run see each other's replay cursors and can
 * follow one person's playback. It reuses the workflow's collaboration room (its awareness):
 * the server lets into the room only people who can see the workflow, so only they see where
 * someone stands in one of its runs. Each person shares `replay: { executionId, sequence, playing }`.
 */

/** What a person looking at a run shares. */
export interface ReplayPresence {
  executionId: string;
  sequence: number;
  playing: boolean;
}

export interface ReplayPeer {
  clientId: number;
  name: string;
  color: string;
  sequence: number;
  playing: boolean;
}

/** Awareness updates at most this often while playing (the room's rate limit is per connection). */
const SHARE_EVERY_MS = 150;

export function useRunPresence(workflowId: Accessor<string | undefined>, mine: Accessor<ReplayPresence | null>): Accessor<ReplayPeer[]> {
  const [peers, setPeers] = createSignal<ReplayPeer[]>([]);
  const [session, setSession] = createSignal<DocSession | null>(null);
  createEffect(
    on(workflowId, (id) => {
      const me = user();
      if (!id || !me) return;
      const opened = openDocSession(id);
      const awareness = opened.awareness;
      awareness.setLocalStateField('user', { id: me.id, name: me.name, color: colorFor(me.id) });
      const read = () => {
        const current = mine();
        const list: ReplayPeer[] = [];
        awareness.getStates().forEach((state, clientId) => {
          if (clientId === awareness.clientID || !current) return;
          const s = state as Partial<PresenceState> & { replay?: Partial<ReplayPresence> };
          if (!s.user || typeof s.user.name !== 'string' || s.replay?.executionId !== current.executionId || typeof s.replay.sequence !== 'number') return;
          list.push({ clientId, name: s.user.name, color: s.user.color, sequence: s.replay.sequence, playing: s.replay.playing === true });
        });
        setPeers(list);
      };
      awareness.on('change', read);
      setSession(opened);
      onCleanup(() => {
        awareness.off('change', read);
        awareness.setLocalState(null);
        opened.destroy();
        setSession(null);
        setPeers([]);
      });
    }),
  );
  // Share this person's cursor, at most every SHARE_EVERY_MS.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastShared = 0;
  createEffect(() => {
    const current = mine();
    const opened = session();
    if (!opened) return;
    clearTimeout(timer);
    const share = () => {
      lastShared = Date.now();
      opened.awareness.setLocalStateField('replay', current);
    };
    const wait = SHARE_EVERY_MS - (Date.now() - lastShared);
    if (wait <= 0) share();
    else timer = setTimeout(share, wait);
  });
  onCleanup(() => clearTimeout(timer));
  return peers;
}
