import { useNavigate } from '@solidjs/router';
import { createSignal } from 'solid-js';
import { describeError } from '../lib/api';
import { ErrorText } from '../lib/ErrorText';
import { JsonInput, parseJson } from '../lib/JsonInput';
import { DialogActions, Modal } from '../lib/Modal';
import { startExecution } from '../lib/queries';

/** Starts a run of one deployed version with a JSON input, then opens it. */
export function RunDialog(props: { workflowId: string; version: number; onClose: () => void }) {
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
        <DialogActions submit="Start run" disabled={busy() || !parseJson(input()).ok} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}
