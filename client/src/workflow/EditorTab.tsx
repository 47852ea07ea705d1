import { useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { docMaps } from '@tandem/schema/collab';
import { Editor } from '../editor/Editor';
import { initials, usePeers } from '../editor/presence';
import { openDocSession, type DocSession } from '../editor/sync';
import { describeError } from '../lib/api';
import { ErrorText } from '../lib/ErrorText';
import { download, fileSafe } from '../lib/format';
import { exportWorkflow } from '../lib/queries';
import { followLatestVersion } from './latest-version';
import { user } from '../lib/session';
import { DeployDialog } from './DeployDialog';
import { RunDialog } from './RunDialog';
import { SaveTemplateDialog } from './SaveTemplateDialog';
import { ShareDialog } from './ShareDialog';
import { Tabs } from './Tabs';
import { VersionsPanel } from './VersionsPanel';

/**
 * The editor and versions tabs: the live document with presence and save state, and the deploy,
 * run, share and template dialogs. Both views share one document session (and its undo), so a
 * version restored in the versions view is undone in the editor.
 */
export function EditorTab(props: { workflowId: string; latestVersion: number; name: string; view: 'editor' | 'versions'; onDeployed: () => void }) {
  const navigate = useNavigate();
  const [search] = useSearchParams<{ node?: string }>();
  const nodeParam = () => (typeof search.node === 'string' ? search.node : undefined);
  const session: DocSession = openDocSession(props.workflowId);
  onCleanup(() => session.destroy());
  const [dialog, setDialog] = createSignal<'deploy' | 'run' | 'share' | 'template' | null>(null);
  const [notice, setNotice] = createSignal('');
  const [version, setVersion] = createSignal(props.latestVersion);
  // Someone else's deploy or roll back: the versions list follows within seconds.
  const stopFollowing = followLatestVersion(props.workflowId, (n) => setVersion((known) => Math.max(known, n)));
  onCleanup(stopFollowing);
  /** The restore the notice offers to undo: its version and the undo step it made (gone once undone or buried by later edits). */
  const [restored, setRestored] = createSignal<{ version: number; step: unknown } | null>(null);
  const undoRestore = () => {
    const r = restored();
    const stack = session.undoManager.undoStack;
    if (!r) return;
    setRestored(null);
    if (stack[stack.length - 1] !== r.step) {
      setNotice('Changes were made after the restore: undo them first (Ctrl+Z), one step at a time.');
      return;
    }
    session.undoManager.undo();
    setNotice(`Undid the restore of version ${r.version}.`);
  };
  const peers = usePeers(session.awareness);
  const me = user();
  // The title follows the document: a rename by anyone shows at once.
  const [liveName, setLiveName] = createSignal(props.name);
  const meta = docMaps(session.doc).meta;
  const onMeta = () => {
    const name = meta.get('name');
    if (typeof name === 'string' && name.trim()) setLiveName(name);
  };
  meta.observe(onMeta);
  onCleanup(() => meta.unobserve(onMeta));

  const exportDraft = async () => {
    try {
      const document = await exportWorkflow(props.workflowId);
      download(`${fileSafe(liveName())}.tandem.json`, JSON.stringify(document, null, 2));
    } catch (e) {
      setNotice(describeError(e));
    }
  };

  return (
    <>
      <header class="workflow-head">
        <h1>{liveName()}</h1>
        <Tabs id={props.workflowId} current={props.view} />
        <div class="presence" aria-label="People here">
          <Show when={me}>
            {(u) => (
              <span class="avatar me" title={`${u().name} (you)`} aria-label={`${u().name} (you)`}>
                {initials(u().name)}
              </span>
            )}
          </Show>
          <For each={peers()}>
            {(peer) => (
              <span class="avatar" style={{ background: peer.user.color }} title={peer.user.name} aria-label={peer.user.name}>
                {initials(peer.user.name)}
              </span>
            )}
          </For>
        </div>
        <p class="sync-state" role="status" aria-live="polite">
          <span class={`dot ${session.connection()}`} aria-hidden="true" />
          {session.connection() === 'online'
            ? 'Connected'
            : session.connection() === 'connecting'
              ? 'Connecting…'
              : 'Offline: edits are kept and sync when back'}
          {' · '}
          {session.saved() ? 'All changes saved' : 'Saving…'}
          <Show when={session.readOnly()}> · Read-only (viewer)</Show>
        </p>
        <div class="actions">
          <button type="button" onClick={() => void exportDraft()}>
            Export
          </button>
          <Show when={session.mode() === 'collab'}>
            <button type="button" aria-haspopup="dialog" onClick={() => setDialog('share')}>
              Share
            </button>
          </Show>
          <button type="button" aria-haspopup="dialog" onClick={() => setDialog('template')} disabled={session.readOnly()}>
            Save as template
          </button>
          <button type="button" aria-haspopup="dialog" onClick={() => setDialog('deploy')} disabled={session.readOnly()}>
            Deploy
          </button>
          <button
            type="button"
            class="primary"
            aria-haspopup="dialog"
            onClick={() => setDialog('run')}
            disabled={version() === 0 || session.readOnly()}
            title={session.readOnly() ? 'Viewers cannot start runs' : version() === 0 ? 'Deploy first' : `Run version ${version()}`}
          >
            Run
          </button>
        </div>
      </header>
      <ErrorText message={session.error()} />
      <Show when={notice()}>
        <p class="notice" role="status">
          {notice()}
        </p>
      </Show>
      <Show when={restored()}>
        {(r) => (
          <p class="notice" role="status">
            Restored version {r().version} into the draft —{' '}
            <button type="button" class="link" onClick={undoRestore}>
              Undo
            </button>{' '}
            <button type="button" class="link" aria-label="Dismiss" onClick={() => setRestored(null)}>
              ×
            </button>
          </p>
        )}
      </Show>
      <Show
        when={session.ready()}
        fallback={
          <p class="page" aria-busy="true">
            Opening the document…
          </p>
        }
      >
        <Show when={props.view === 'versions'} fallback={<Show when={me}>{(u) => <Editor session={session} user={u()} select={nodeParam()} />}</Show>}>
          <VersionsPanel
            workflowId={props.workflowId}
            name={liveName()}
            session={session}
            latestVersion={version()}
            onRestored={(n) => {
              const stack = session.undoManager.undoStack;
              setNotice('');
              setRestored({ version: n, step: stack[stack.length - 1] });
              navigate(`/workflows/${props.workflowId}`);
            }}
            onRolledBack={(n, next) => {
              setVersion(next);
              setNotice(`Rolled back: version ${next} is version ${n} deployed again.`);
              props.onDeployed();
            }}
          />
        </Show>
      </Show>
      <Show when={dialog() === 'deploy'}>
        <DeployDialog
          workflowId={props.workflowId}
          session={session}
          onClose={() => setDialog(null)}
          onDeployed={(n) => {
            setVersion(n);
            setNotice(`Deployed version ${n}.`);
            setDialog(null);
            props.onDeployed();
          }}
        />
      </Show>
      <Show when={dialog() === 'run'}>
        <RunDialog workflowId={props.workflowId} version={version()} onClose={() => setDialog(null)} />
      </Show>
      <Show when={dialog() === 'template'}>
        <SaveTemplateDialog
          workflowId={props.workflowId}
          session={session}
          onClose={() => setDialog(null)}
          onSaved={(name) => {
            setDialog(null);
            setNotice(`Saved as the template "${name}".`);
          }}
        />
      </Show>
      <Show when={dialog() === 'share'}>
        <ShareDialog workflowId={props.workflowId} onClose={() => setDialog(null)} />
      </Show>
    </>
  );
}
