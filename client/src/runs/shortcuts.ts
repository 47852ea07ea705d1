/**
 * The replay viewer's keyboard shortcuts: one table, read by the key handler and by the help
 * popover, so what is documented is what works.
 */
export type ReplayAction =
  'play' | 'back' | 'forward' | 'start' | 'live' | 'nextFailure' | 'nextStep' | 'slower' | 'faster' | 'zoomIn' | 'zoomOut' | 'fit' | 'help';

export const SHORTCUTS: ReadonlyArray<{ keys: readonly string[]; action: ReplayAction; label: string }> = [
  { keys: [' ', 'k'], action: 'play', label: 'Play / pause' },
  { keys: ['ArrowLeft', 'j'], action: 'back', label: 'One event back' },
  { keys: ['ArrowRight', 'l'], action: 'forward', label: 'One event forward' },
  { keys: ['Home'], action: 'start', label: 'Before the first event' },
  { keys: ['End'], action: 'live', label: 'Live: the last event, following new ones' },
  { keys: ['f'], action: 'nextFailure', label: 'Next failure' },
  { keys: ['n'], action: 'nextStep', label: 'Next step of the selected node' },
  { keys: ['['], action: 'slower', label: 'Slower' },
  { keys: [']'], action: 'faster', label: 'Faster' },
  { keys: ['+', '='], action: 'zoomIn', label: 'Zoom the timeline in' },
  { keys: ['-'], action: 'zoomOut', label: 'Zoom the timeline out' },
  { keys: ['0'], action: 'fit', label: 'Show the whole run' },
  { keys: ['?'], action: 'help', label: 'Show these shortcuts' },
];

const BY_KEY = new Map(SHORTCUTS.flatMap((s) => s.keys.map((key) => [key, s.action] as const)));

/** The action a key press asks for; null for keys typed into a field, with a modifier, or not a shortcut. */
export function actionFor(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>): ReplayAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const target = event.target as { tagName?: string; isContentEditable?: boolean; getAttribute?: (name: string) => string | null } | null;
  const tag = target?.tagName?.toLowerCase();
  if (tag === 'input' || tag === 'textarea' || tag === 'select' || target?.isContentEditable) return null;
  // Space and Enter keep activating a focused button.
  if ((event.key === ' ' || event.key === 'Enter') && (tag === 'button' || tag === 'a' || tag === 'summary')) return null;
  return BY_KEY.get(event.key) ?? null;
}

/** How a key is written in the help. */
export function keyLabel(key: string): string {
  return { ' ': 'Space', ArrowLeft: '←', ArrowRight: '→' }[key] ?? key;
}
