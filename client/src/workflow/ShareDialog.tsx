import { createResource, createSignal, For, Show } from 'solid-js';
import { describeError } from '../lib/api';
import { ErrorText } from '../lib/ErrorText';
import { Modal } from '../lib/Modal';
import { shareWorkflow, unshareWorkflow, workflowMembers, type Role } from '../lib/queries';

/** Who has which role; the owner shares with an email address and takes access back. */
export function ShareDialog(props: { workflowId: string; onClose: () => void }) {
  const [members, { refetch }] = createResource(() => workflowMembers(props.workflowId));
  const [email, setEmail] = createSignal('');
  const [role, setRole] = createSignal<Role>('EDITOR');
  const [error, setError] = createSignal('');
  const share = async (event: SubmitEvent) => {
    event.preventDefault();
    setError('');
    try {
      await shareWorkflow(props.workflowId, email().trim(), role());
      setEmail('');
      await refetch();
    } catch (e) {
      setError(describeError(e));
    }
  };
  const unshare = async (address: string) => {
    setError('');
    try {
      await unshareWorkflow(props.workflowId, address);
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
                      <button type="button" class="link" onClick={() => void unshare(member.user.email)} aria-label={`Remove ${member.user.name}`}>
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
