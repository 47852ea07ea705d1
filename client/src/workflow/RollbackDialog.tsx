import { createSignal } from 'solid-js';
import { describeError } from '../lib/api';
import { ErrorText } from '../lib/ErrorText';
import { DialogActions, Modal } from '../lib/Modal';
import { rollbackWorkflow } from '../lib/queries';

/** Deploys an earlier version again as the next version, with a message naming it. */
export function RollbackDialog(props: { workflowId: string; version: number; onClose: () => void; onDone: (next: number) => void }) {
  const [reason, setReason] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      props.onDone((await rollbackWorkflow(props.workflowId, props.version, reason().trim())).number);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={`Roll back to version ${props.version}`} onClose={props.onClose}>
      <form onSubmit={submit} class="stack">
        <p>
          Deploys version {props.version}’s workflow again as the next version, with the message “Roll back to version {props.version}”. Schedules and webhooks
          move to it; the draft stays as it is.
        </p>
        <label>
          Reason (optional)
          <input value={reason()} onInput={(e) => setReason(e.currentTarget.value)} maxLength={500} />
        </label>
        <ErrorText message={error()} />
        <DialogActions submit="Roll back" disabled={busy()} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}
