import { A, useNavigate, useParams } from '@solidjs/router';
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { docMaps } from '@tandem/schema/collab';
import { docToDefinition } from '../editor/doc';
import { Editor } from '../editor/Editor';
import { initials, usePeers } from '../editor/presence';
import { openDocSession, type DocSession } from '../editor/sync';
import { ApiError, describeError, gql, subscribe, type ApiProblem } from '../lib/api';
import { download, fileSafe, formatTime } from '../lib/format';
import { JsonInput, parseJson } from '../lib/JsonInput';
import { Modal } from '../lib/Modal';
import { ProblemList } from '../lib/Problems';
import { deployWorkflow, EXECUTION_STATUSES, exportWorkflow, getWorkflow, listExecutions, listSchedules, setSchedulePaused, startExecution, type ExecutionStatus, type Role } from '../lib/queries';
import { user } from '../lib/session';
import { StatusBadge } from '../lib/StatusBadge';
import { ParameterEditor } from '../templates/ParameterEditor';
import { draftsFromParams, parameterInputs } from '../templates/parameters';
import { WebhookPanel } from '../schedules/WebhookPanel';
import { useTitle } from '../lib/title';
import { ErrorText } from '../lib/ErrorText';

export default function WorkflowPage() {
  const params = useParams<{ id: string; tab?: string }>();
  const [workflow, { refetch }] = createResource(() => params.id, getWorkflow);
  useTitle(() => workflow()?.name);
  return (
    <section class="workflow-page">
      <Show when={workflow.error}>
        <p class="error page" role="alert">
          {describeError(workflow.error)} <A href="/">Back to your workflows</A>
        </p>
      </Show>
      <Show when={workflow()}>
        {(w) => (
          <Show when={params.tab === 'runs'} fallback={<EditorTab workflowId={w().id} latestVersion={w().latestVersion} name={w().name} onDeployed={refetch} />}>
            <header class="workflow-head">
              <h1>{w().name}</h1>
              <Tabs id={w().id} current="runs" />
            </header>
            <RunsList workflowId={w().id} name={w().name} />
          </Show>
        )}
      </Show>
    </section>
  );
}

function Tabs(props: { id: string; current: 'editor' | 'runs' }) {
  return (
    <nav class="tabs" aria-label="Workflow">
      <A href={`/workflows/${props.id}`} aria-current={props.current === 'editor' ? 'page' : undefined} end>
        Editor
      </A>
      <A href={`/workflows/${props.id}/runs`} aria-current={props.current === 'runs' ? 'page' : undefined}>
        Runs
      </A>
    </nav>
  );
}

function EditorTab(props: { workflowId: string; latestVersion: number; name: string; onDeployed: () => void }) {
  const session: DocSession = openDocSession(props.workflowId);
  onCleanup(() => session.destroy());
  const [dialog, setDialog] = createSignal<'deploy' | 'run' | 'share' | 'template' | null>(null);
  const [notice, setNotice] = createSignal('');
  const [version, setVersion] = createSignal(props.latestVersion);
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
        <Tabs id={props.workflowId} current="editor" />
        <div class="presence" aria-label="People here">
          <Show when={me}>{(u) => <span class="avatar me" title={`${u().name} (you)`} aria-label={`${u().name} (you)`}>{initials(u().name)}</span>}</Show>
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
          {session.connection() === 'online' ? 'Connected' : session.connection() === 'connecting' ? 'Connecting…' : 'Offline: edits are kept and sync when back'}
          {' · '}
          {session.saved() ? 'All changes saved' : 'Saving…'}
          <Show when={session.readOnly()}> · Read-only (viewer)</Show>
        </p>
        <div class="actions">
          <button type="button" onClick={exportDraft}>
            Export
          </button>
          <Show when={session.mode() === 'collab'}>
            <button type="button" onClick={() => setDialog('share')}>
              Share
            </button>
          </Show>
          <button type="button" onClick={() => setDialog('template')} disabled={session.readOnly()}>
            Save as template
          </button>
          <button type="button" onClick={() => setDialog('deploy')} disabled={session.readOnly()}>
            Deploy
          </button>
          <button
            type="button"
            class="primary"
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
      <Show when={session.ready()} fallback={<p class="page" aria-busy="true">Opening the document…</p>}>
        <Show when={me}>{(u) => <Editor session={session} user={u()} />}</Show>
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

/** Waits until the session says every local edit is saved (at most `ms`). */
async function whenSaved(session: DocSession, ms = 8000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!session.saved() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
  return session.saved();
}

function DeployDialog(props: { workflowId: string; session: DocSession; onClose: () => void; onDeployed: (version: number) => void }) {
  const [message, setMessage] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const [problems, setProblems] = createSignal<ApiProblem[]>([]);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    setProblems([]);
    try {
      if (!(await whenSaved(props.session))) throw new ApiError('Your latest changes are not saved yet; try again when the editor says "All changes saved".', 'CONFLICT');
      const version = await deployWorkflow(props.workflowId, message().trim());
      props.onDeployed(version.number);
    } catch (e) {
      // Problems are listed by node; the message would only repeat them.
      if (e instanceof ApiError && e.problems.length > 0) setProblems(e.problems);
      else setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title="Deploy" onClose={props.onClose}>
      <form onSubmit={submit} class="stack">
        <label>
          Message
          <input value={message()} onInput={(e) => setMessage(e.currentTarget.value)} placeholder="What changed?" maxLength={500} />
        </label>
        <ErrorText message={error()} />
        <ProblemList problems={problems()} title="Not deployed. Fix these first:" />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy()}>
            Deploy
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

function RunDialog(props: { workflowId: string; version: number; onClose: () => void }) {
  const navigate = useNavigate();
  const [input, setInput] = createSignal('{\n  \n}');
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const parsed = parseJson(input());
    if (!parsed.ok) return;
    setBusy(true);
    setError('');
    try {
      const run = await startExecution(props.workflowId, parsed.value ?? {}, props.version);
      navigate(`/runs/${run.id}`);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={`Run version ${props.version}`} onClose={props.onClose}>
      <form onSubmit={submit} class="stack">
        <JsonInput id="run-input" label="Input (JSON)" value={input()} onInput={setInput} hint="Visible to expressions as input, e.g. input.a" />
        <ErrorText message={error()} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy() || !parseJson(input()).ok}>
            Start run
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** Saves the draft as a template; the workflow's params become its typed parameters. */
function SaveTemplateDialog(props: { workflowId: string; session: DocSession; onClose: () => void; onSaved: (name: string) => void }) {
  const definition = docToDefinition(props.session.doc);
  const [name, setName] = createSignal(definition.name);
  const [description, setDescription] = createSignal(definition.description ?? '');
  const [tags, setTags] = createSignal('');
  const [parameters, setParameters] = createSignal(draftsFromParams(definition.params as Record<string, unknown> | undefined));
  const [error, setError] = createSignal('');
  const [problems, setProblems] = createSignal<ApiProblem[]>([]);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setError('');
    setProblems([]);
    try {
      if (!(await whenSaved(props.session))) throw new ApiError('Your latest changes are not saved yet; try again in a moment.', 'CONFLICT');
      await gql('mutation SaveTemplate($workflowId: ID!, $input: SaveAsTemplateInput!) { saveAsTemplate(workflowId: $workflowId, input: $input) { id } }', {
        workflowId: props.workflowId,
        input: {
          name: name().trim(),
          description: description(),
          tags: tags()
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
          parameters: parameterInputs(parameters()) ?? [],
        },
      });
      props.onSaved(name().trim());
    } catch (e) {
      setError(describeError(e));
      if (e instanceof ApiError) setProblems(e.problems);
    }
  };
  return (
    <Modal title="Save as template" onClose={props.onClose}>
      <form class="stack" onSubmit={submit}>
        <label>
          Name
          <input value={name()} onInput={(e) => setName(e.currentTarget.value)} required />
        </label>
        <label>
          Description
          <textarea rows={2} value={description()} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <label>
          Tags (comma-separated)
          <input value={tags()} onInput={(e) => setTags(e.currentTarget.value)} />
        </label>
        <ParameterEditor parameters={parameters()} onChange={setParameters} />
        <ErrorText message={error()} />
        <ProblemList problems={problems()} />
        <div class="actions">
          <button type="submit" class="primary" disabled={!name().trim() || parameterInputs(parameters()) === null}>
            Save template
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

interface MemberRow {
  role: Role;
  user: { id: string; name: string; email: string };
}

function ShareDialog(props: { workflowId: string; onClose: () => void }) {
  const [members, { refetch }] = createResource(async () => {
    const data = await gql<{ workflow: { myRole: Role; members: MemberRow[] } }>('query Members($id: ID!) { workflow(id: $id) { myRole members { role user { id name email } } } }', {
      id: props.workflowId,
    });
    return data.workflow;
  });
  const [email, setEmail] = createSignal('');
  const [role, setRole] = createSignal<Role>('EDITOR');
  const [error, setError] = createSignal('');
  const share = async (event: SubmitEvent) => {
    event.preventDefault();
    setError('');
    try {
      await gql('mutation Share($workflowId: ID!, $email: String!, $role: WorkflowRole!) { shareWorkflow(workflowId: $workflowId, email: $email, role: $role) { __typename } }', {
        workflowId: props.workflowId,
        email: email().trim(),
        role: role(),
      });
      setEmail('');
      await refetch();
    } catch (e) {
      setError(describeError(e));
    }
  };
  const unshare = async (address: string) => {
    setError('');
    try {
      await gql('mutation Unshare($workflowId: ID!, $email: String!) { unshareWorkflow(workflowId: $workflowId, email: $email) { __typename } }', {
        workflowId: props.workflowId,
        email: address,
      });
      await refetch();
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Modal title="Share" onClose={props.onClose}>
      <Show when={members.error}>
        <p class="error">{describeError(members.error)}</p>
      </Show>
      <Show when={members()}>
        {(m) => (
          <>
            <ul class="members">
              <For each={m().members}>
                {(member) => (
                  <li>
                    {member.user.name} <span class="hint">{member.user.email}</span> — {member.role.toLowerCase()}
                    <Show when={m().myRole === 'OWNER' && member.role !== 'OWNER'}>
                      {' '}
                      <button type="button" class="link" onClick={() => unshare(member.user.email)} aria-label={`Remove ${member.user.name}`}>
                        remove
                      </button>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
            <Show when={m().myRole === 'OWNER'} fallback={<p class="hint">Only the owner can share this workflow.</p>}>
              <form onSubmit={share} class="stack">
                <label>
                  Email
                  <input type="email" required value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />
                </label>
                <label>
                  Role
                  <select value={role()} onChange={(e) => setRole(e.currentTarget.value as Role)}>
                    <option value="EDITOR">Editor: can edit, deploy, run and approve</option>
                    <option value="VIEWER">Viewer: can look and watch runs</option>
                  </select>
                </label>
                <button type="submit" class="primary">
                  Share
                </button>
              </form>
            </Show>
          </>
        )}
      </Show>
      <ErrorText message={error()} />
      <div class="actions">
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}

function Schedules(props: { workflowId: string }) {
  const [schedules, { mutate }] = createResource(() => props.workflowId, listSchedules);
  // Viewers see schedules but may not pause them (the server would refuse).
  const [role] = createResource(() => props.workflowId, async (id) => (await gql<{ workflow: { myRole: Role } }>('query Role($id: ID!) { workflow(id: $id) { myRole } }', { id })).workflow.myRole);
  const [error, setError] = createSignal('');
  const toggle = async (nodeId: string, paused: boolean) => {
    setError('');
    try {
      mutate(await setSchedulePaused(props.workflowId, nodeId, paused));
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Show when={(schedules()?.length ?? 0) > 0}>
      <div class="panel schedules">
        <h2>Schedules</h2>
        <ul>
          <For each={schedules()}>
            {(s) => (
              <li>
                <code>{s.cron}</code> ({s.timezone}) from node <strong>{s.nodeId}</strong> — {s.paused ? 'paused' : `next run ${formatTime(s.nextRunAt)}`}{' '}
                <Show when={role() && role() !== 'VIEWER'}>
                  <button type="button" onClick={() => toggle(s.nodeId, !s.paused)}>
                    {s.paused ? 'Resume schedule' : 'Pause schedule'}
                  </button>
                </Show>
              </li>
            )}
          </For>
        </ul>
        <ErrorText message={error()} />
      </div>
    </Show>
  );
}

interface VersionRow {
  id: string;
  number: number;
  message: string;
  createdAt: string;
  author: { name: string };
}

/** The deployed versions, newest first: who deployed what, run or export any of them. */
function Versions(props: { workflowId: string; name: string }) {
  const [versions] = createResource(
    () => props.workflowId,
    async (id) => {
      const data = await gql<{ workflow: { versions: { totalCount: number; edges: Array<{ node: VersionRow }> } } }>(
        'query Versions($id: ID!) { workflow(id: $id) { versions(first: 50) { totalCount edges { node { id number message createdAt author { name } } } } } }',
        { id },
      );
      return data.workflow.versions;
    },
  );
  const [running, setRunning] = createSignal<number | null>(null);
  const [error, setError] = createSignal('');
  const exportVersion = async (number: number) => {
    try {
      download(`${fileSafe(props.name)}.v${number}.tandem.json`, JSON.stringify(await exportWorkflow(props.workflowId, number), null, 2));
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <details class="panel versions">
      <summary>Versions ({versions()?.totalCount ?? '…'})</summary>
      <Show when={(versions()?.edges.length ?? 0) > 0} fallback={<p class="hint">Not deployed yet.</p>}>
        <ol reversed>
          <For each={versions()!.edges}>
            {({ node: v }) => (
              <li>
                <strong>v{v.number}</strong> {v.message ? `“${v.message}”` : <span class="hint">(no message)</span>} <span class="hint">by {v.author.name}, {formatTime(v.createdAt)}</span>{' '}
                <button type="button" onClick={() => setRunning(v.number)} aria-label={`Run version ${v.number}`}>
                  Run
                </button>{' '}
                <button type="button" onClick={() => exportVersion(v.number)} aria-label={`Export version ${v.number}`}>
                  Export
                </button>
              </li>
            )}
          </For>
        </ol>
      </Show>
      <ErrorText message={error()} />
      <Show when={running()}>{(n) => <RunDialog workflowId={props.workflowId} version={n()} onClose={() => setRunning(null)} />}</Show>
    </details>
  );
}

export function RunsList(props: { workflowId: string; name?: string }) {
  const [status, setStatus] = createSignal<ExecutionStatus | ''>('');
  const [runs, { refetch }] = createResource(
    () => [props.workflowId, status()] as const,
    ([id, s]) => listExecutions(id, s || null),
  );
  // Live: each status change of a run of this workflow refreshes the list (a slow poll covers gaps).
  let pending: ReturnType<typeof setTimeout> | undefined;
  const stop = subscribe<{ executionUpdated: { id: string } }>(
    'subscription Updated($workflowId: ID!) { executionUpdated(workflowId: $workflowId) { id status } }',
    { workflowId: props.workflowId },
    {
      next: () => {
        clearTimeout(pending);
        pending = setTimeout(() => void refetch(), 200);
      },
    },
  );
  const timer = setInterval(() => void refetch(), 15_000);
  onCleanup(() => {
    stop();
    clearTimeout(pending);
    clearInterval(timer);
  });
  return (
    <div class="page runs-list">
      <Schedules workflowId={props.workflowId} />
      <WebhookPanel workflowId={props.workflowId} />
      <Versions workflowId={props.workflowId} name={props.name ?? 'workflow'} />
      <div class="toolbar">
        <label>
          Status
          <select value={status()} onChange={(e) => setStatus(e.currentTarget.value as ExecutionStatus | '')}>
            <option value="">All</option>
            <For each={EXECUTION_STATUSES}>{(s) => <option value={s}>{s.toLowerCase().replace('_', ' ')}</option>}</For>
          </select>
        </label>
      </div>
      <Show when={runs.error}>
        <p class="error" role="alert">
          {describeError(runs.error)}
        </p>
      </Show>
      <Show when={runs()} fallback={<p aria-busy="true">Loading…</p>}>
        {(r) => (
          <Show when={r().items.length > 0} fallback={<p class="empty">No runs{status() ? ' with this status' : ' yet'}.</p>}>
            <div class="table-scroll">
              <table class="list">
                <caption class="sr-only">Runs</caption>
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="hide-narrow">Version</th>
                    <th scope="col">Started</th>
                    <th scope="col" class="hide-narrow">Finished</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={r().items}>
                    {(run) => (
                      <tr>
                        <td>
                          <A href={`/runs/${run.id}`}>{run.id.slice(0, 8)}</A>
                        </td>
                        <td>
                          <StatusBadge status={run.status} />
                        </td>
                        <td class="hide-narrow">v{run.versionNumber}</td>
                        <td>{formatTime(run.startedAt)}</td>
                        <td class="hide-narrow">{formatTime(run.finishedAt)}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
            <p class="hint">{r().totalCount} run(s)</p>
          </Show>
        )}
      </Show>
    </div>
  );
}
