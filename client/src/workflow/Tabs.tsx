import { A } from '@solidjs/router';

/** The workflow page's tabs: the editor, its versions, the runs and their metrics. */
export function Tabs(props: { id: string; current: 'editor' | 'versions' | 'runs' | 'metrics' }) {
  return (
    <nav class="tabs" aria-label="Workflow">
      <A href={`/workflows/${props.id}`} aria-current={props.current === 'editor' ? 'page' : undefined} end>
        Editor
      </A>
      <A href={`/workflows/${props.id}/versions`} aria-current={props.current === 'versions' ? 'page' : undefined}>
        Versions
      </A>
      <A href={`/workflows/${props.id}/runs`} aria-current={props.current === 'runs' ? 'page' : undefined}>
        Runs
      </A>
      <A href={`/workflows/${props.id}/metrics`} aria-current={props.current === 'metrics' ? 'page' : undefined}>
        Metrics
      </A>
    </nav>
  );
}
