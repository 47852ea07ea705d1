import { For, Show } from 'solid-js';
import type { ApiProblem } from './api';

/** A list of problems, each naming the node or edge it belongs to. */
export function ProblemList(props: { problems: readonly ApiProblem[]; title?: string; onPick?: (problem: ApiProblem) => void }) {
  return (
    <Show when={props.problems.length > 0}>
      <div class="problems" role="alert">
        <Show when={props.title}>
          <p class="problems-title">{props.title}</p>
        </Show>
        <ul>
          <For each={props.problems}>
            {(problem) => (
              <li>
                <Show when={problem.nodeId}>
                  <Show when={props.onPick} fallback={<strong>node {problem.nodeId}: </strong>}>
                    <button type="button" class="link" onClick={() => props.onPick?.(problem)}>
                      node {problem.nodeId}
                    </button>
                    :{' '}
                  </Show>
                </Show>
                <Show when={!problem.nodeId && problem.edgeId}>
                  <strong>edge {problem.edgeId}: </strong>
                </Show>
                {problem.message}
                <Show when={problem.path && !problem.nodeId && !problem.edgeId}>
                  <span class="hint"> (at {problem.path})</span>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </div>
    </Show>
  );
}
