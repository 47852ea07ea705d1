import { For, Show } from 'solid-js';
import { SPEEDS, speedLabel, type Speed } from './cursor';
import type { ReplaySession } from './replay-session';
import { keyLabel, SHORTCUTS, type ReplayAction } from './shortcuts';

export interface PlaybackBarProps {
  session: ReplaySession;
  length: number;
  selected: string | null;
  /** "event 12 of 40: STEP_COMPLETED add". */
  moment: string;
  helpOpen: boolean;
  onHelp(open: boolean): void;
  /** Said when a jump finds nothing ("No failure after this moment"). */
  notice: string;
  /** Does what a button asks, as its shortcut would. */
  act(action: ReplayAction): void;
}

/** Playback controls: play, step, jumps, speed, Live, and the shortcut help. */
export function PlaybackBar(props: PlaybackBarProps) {
  const s = props.session;
  return (
    <div class="playback-bar" role="toolbar" aria-label="Playback">
      <button type="button" onClick={() => props.act('back')} disabled={s.position() === 0} aria-label="One event back" title="One event back (←)">
        ◀︎
      </button>
      <button type="button" class="primary" onClick={() => props.act('play')} aria-label={s.playing() ? 'Pause playback' : 'Play'} title="Play / pause (Space)">
        {s.playing() ? '❚❚' : '▶︎'}
      </button>
      <button
        type="button"
        onClick={() => props.act('forward')}
        disabled={s.position() >= props.length}
        aria-label="One event forward"
        title="One event forward (→)"
      >
        ▶︎❘
      </button>
      <button type="button" onClick={() => props.act('nextFailure')} title="Next failure (f)">
        Next failure
      </button>
      <button type="button" onClick={() => props.act('nextStep')} disabled={!props.selected} title="Next step of the selected node (n)">
        Next step{props.selected ? ` of ${props.selected}` : ''}
      </button>
      <label class="speed">
        <span>Speed</span>
        <select value={String(s.speed())} onChange={(e) => s.setSpeed((e.currentTarget.value === 'real' ? 'real' : Number(e.currentTarget.value)) as Speed)}>
          <For each={SPEEDS}>{(speed) => <option value={String(speed)}>{speedLabel(speed)}</option>}</For>
        </select>
      </label>
      <button
        type="button"
        classList={{ 'live-on': s.following() }}
        aria-pressed={s.following()}
        onClick={() => props.act('live')}
        title="Live: follow the last event (End)"
      >
        Live
      </button>
      <span class="moment" role="status" aria-live="polite" data-testid="replay-moment">
        {props.moment}
      </span>
      <Show when={props.notice}>
        <span class="hint" role="status">
          {props.notice}
        </span>
      </Show>
      <div class="help-popover">
        <button type="button" aria-expanded={props.helpOpen} aria-controls="replay-shortcuts" onClick={() => props.act('help')} title="Keyboard shortcuts (?)">
          Shortcuts
        </button>
        <Show when={props.helpOpen}>
          <div id="replay-shortcuts" class="panel popover" role="dialog" aria-label="Keyboard shortcuts">
            <table>
              <tbody>
                <For each={SHORTCUTS}>
                  {(shortcut) => (
                    <tr>
                      <td>
                        <For each={shortcut.keys}>{(key) => <kbd>{keyLabel(key)}</kbd>}</For>
                      </td>
                      <td>{shortcut.label}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
            <button type="button" onClick={() => props.onHelp(false)}>
              Close
            </button>
          </div>
        </Show>
      </div>
    </div>
  );
}
