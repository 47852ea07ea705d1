import { createSignal, onCleanup, type Accessor } from 'solid-js';
import type { Awareness } from 'y-protocols/awareness';

type Point = { x: number; y: number };

/** What each participant shares through awareness. */
export interface PresenceState {
  user: { id: string; name: string; color: string };
  selection?: string[];
  cursor?: Point | null;
  /** Positions of the nodes being dragged; written to the document only at drag end. */
  drag?: Record<string, Point> | null;
}

export interface Peer extends PresenceState {
  clientId: number;
}

// Dark enough for white text and 3:1 against the canvas background.
const COLORS = ['#b3261e', '#1f6feb', '#2f7d32', '#8e44ad', '#b35c00', '#00796b', '#c2185b', '#5d4037'];

export function colorFor(id: string): string {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return COLORS[Math.abs(hash) % COLORS.length]!;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')).toUpperCase();
}

/** Others' presence, as a signal that follows awareness changes. */
export function usePeers(awareness: Awareness): Accessor<Peer[]> {
  const read = (): Peer[] => {
    const peers: Peer[] = [];
    awareness.getStates().forEach((state, clientId) => {
      if (clientId === awareness.clientID) return;
      const s = state as Partial<PresenceState>;
      if (s.user && typeof s.user.name === 'string') peers.push({ ...(s as PresenceState), clientId });
    });
    return peers;
  };
  const [peers, setPeers] = createSignal<Peer[]>(read());
  const onChange = () => setPeers(read());
  awareness.on('change', onChange);
  onCleanup(() => awareness.off('change', onChange));
  return peers;
}
