import { A, useParams } from '@solidjs/router';
import { createResource, Show } from 'solid-js';
import { describeError } from '../lib/api';
import { getWorkflow } from '../lib/queries';
import { useTitle } from '../lib/title';
import { EditorTab } from '../workflow/EditorTab';
import { RunsTab } from '../workflow/RunsTab';
import { Tabs } from '../workflow/Tabs';
import { MetricsTab } from '../metrics/MetricsTab';

/** /workflows/:id (the editor tab), /workflows/:id/versions (the versions tab, on the editor's live document) and /workflows/:id/runs (the runs tab). */
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
          <Show
            when={params.tab === 'runs' || params.tab === 'metrics'}
            fallback={
              <EditorTab
                workflowId={w().id}
                latestVersion={w().latestVersion}
                name={w().name}
                view={params.tab === 'versions' ? 'versions' : 'editor'}
                onDeployed={() => void refetch()}
              />
            }
          >
            <header class="workflow-head">
              <h1>{w().name}</h1>
              <Tabs id={w().id} current={params.tab === 'metrics' ? 'metrics' : 'runs'} />
            </header>
            <Show when={params.tab === 'metrics'} fallback={<RunsTab workflowId={w().id} name={w().name} />}>
              <MetricsTab workflowId={w().id} />
            </Show>
          </Show>
        )}
      </Show>
    </section>
  );
}
