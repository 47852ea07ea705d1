import { createSignal } from 'solid-js';
import { whenSaved, type DocSession } from '../editor/sync';
import { ApiError, describeError, type ApiProblem } from '../lib/api';
import { ErrorText } from '../lib/ErrorText';
import { DialogActions, Modal } from '../lib/Modal';
import { ProblemList } from '../lib/Problems';
import { deployWorkflow } from '../lib/queries';
import { DeployPreview } from './DeployPreview';

/** Deploys the draft once every local edit is saved, after showing what it would do to recent runs; problems are listed by node. */
export function DeployDialog(props: { workflowId: string; session: DocSession; onClose: () => void; onDeployed: (version: number) => void }) {
  const [message, setMessage] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const [problems, setProblems] = createSignal<ApiProblem[]>([]);
  /** Deploy and its preview both read the saved draft. */
  const saved = async () => {
    if (!(await whenSaved(props.session)))
      throw new ApiError('Your latest changes are not saved yet; try again when the editor says "All changes saved".', 'CONFLICT');
  };
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    setProblems([]);
    try {
      await saved();
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
        <DeployPreview workflowId={props.workflowId} before={saved} />
        <ErrorText message={error()} />
        <ProblemList problems={problems()} title="Not deployed. Fix these first:" />
        <DialogActions submit="Deploy" disabled={busy()} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}
