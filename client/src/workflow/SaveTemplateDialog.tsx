import { createSignal } from 'solid-js';
import { docToDefinition } from '../editor/doc';
import { whenSaved, type DocSession } from '../editor/sync';
import { ApiError, describeError, type ApiProblem } from '../lib/api';
import { ErrorText } from '../lib/ErrorText';
import { DialogActions, Modal } from '../lib/Modal';
import { ProblemList } from '../lib/Problems';
import { saveAsTemplate } from '../lib/queries';
import { ParameterEditor } from '../templates/ParameterEditor';
import { draftsFromParams, parameterInputs } from '../templates/parameters';

/** Saves the draft as a template; the workflow's params become its typed parameters. */
export function SaveTemplateDialog(props: { workflowId: string; session: DocSession; onClose: () => void; onSaved: (name: string) => void }) {
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
      await saveAsTemplate(props.workflowId, {
        name: name().trim(),
        description: description(),
        tags: tags()
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
        parameters: parameterInputs(parameters()) ?? [],
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
        <DialogActions submit="Save template" disabled={!name().trim() || parameterInputs(parameters()) === null} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}
