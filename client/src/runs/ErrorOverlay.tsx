import { A } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { causeChain, type NodeRunState, type RunError, type StepError, type WorkflowNode } from '@tandem/schema';
import { formatTime, pretty } from '../lib/format';
import { errorKind, errorMessage, failureHint, failureLocation, failureReport, type HintContext } from './failure';
import { JsonTree } from './JsonTree';
import { stepDetails } from './step-details';
import { RelaunchForm } from './Relaunch';
import { CauseChain } from './CauseChain';

export interface ErrorOverlayProps {
  executionId: string;
  workflowId: string;
  workflowName: string;
  version: number | null;
  /** The failed node as the events left it at the failure. */
  step: NodeRunState;
  /** The node in the run's version. */
  node: WorkflowNode | undefined;
  /** The run's error, when the step's own is not in the events. */
  runError: RunError | null;
  hints: HintContext;
  /** The person may start runs (an editor or the owner) and the run has ended: a retry is possible. */
  canRetry: boolean;
  onClose(): void;
  onRetried(executionId: string): void;
}

/** The failing part of a config field, marked. */
function Highlighted(props: { text: string; start?: number; end?: number }) {
  return (
    <Show when={props.start !== undefined} fallback={<pre class="code">{props.text}</pre>}>
      <pre class="code">
        {props.text.slice(0, props.start)}
        <mark data-testid="failing-part">{props.text.slice(props.start, props.end)}</mark>
        {props.text.slice(props.end)}
      </pre>
    </Show>
  );
}

/** Secret-looking header values are never shown, even when the server sent them unmasked. */
function maskHeaders(headers: unknown): unknown {
  if (!headers || typeof headers !== 'object') return headers;
  return Object.fromEntries(
    Object.entries(headers as Record<string, unknown>).map(([name, value]) => [
      name,
      /authorization|token|secret|key|cookie|password/i.test(name) && typeof value === 'string' && !value.includes('{{') ? '••••' : value,
    ]),
  );
}

/**
 * Why a step failed, at a glance: the message and its kind, a hint, the cause chain, the config
 * with the failing part marked, the input, every attempt, and for http.request what was sent and
 * what came back. "Copy report" puts a Markdown summary on the clipboard.
 */
export function ErrorOverlay(props: ErrorOverlayProps) {
  const run = () => props.step.runs.at(-1);
  const error = (): StepError | RunError | null => run()?.error ?? props.runError;
  const [details] = createResource(
    () => run() ?? null,
    (r) => stepDetails(props.executionId, props.step.nodeId, r),
  );
  const location = () => failureLocation(props.node?.type ?? props.step.type, props.node?.config, error());
  const hint = () => failureHint(error(), props.hints);
  const input = () => details()?.input ?? run()?.input;
  const attempts = () => details()?.attempts ?? run()?.attempts ?? [];
  const [copied, setCopied] = createSignal('');
  const copyReport = async () => {
    const report = failureReport({
      runUrl: location_href(),
      executionId: props.executionId,
      workflowName: props.workflowName,
      version: props.version,
      nodeId: props.step.nodeId,
      ...(props.step.type ? { nodeType: props.step.type } : {}),
      error: error(),
      input: input(),
      attempts: attempts(),
      hint: hint(),
    });
    try {
      await navigator.clipboard.writeText(report);
      setCopied('Report copied.');
    } catch {
      setCopied('The browser refused the clipboard.');
    }
  };
  return (
    <div class="error-overlay panel" role="dialog" aria-modal="false" aria-labelledby="error-overlay-title">
      <div class="overlay-head">
        <h2 id="error-overlay-title">
          Node <code>{props.step.nodeId}</code> failed
        </h2>
        <button type="button" onClick={() => props.onClose()} aria-label="Close the error overlay">
          ✕
        </button>
      </div>
      <p class="error-message" data-testid="overlay-message">
        {errorMessage(error())}
      </p>
      <p>
        Kind: <code data-testid="overlay-kind">{errorKind(error())}</code>
        <Show when={props.step.type}> · node type {props.step.type}</Show>
      </p>
      <Show when={hint()}>
        <p class="hint-box" data-testid="overlay-hint">
          {hint()}
        </p>
      </Show>
      <Show when={causeChain(error()).length > 1}>
        <h3>Cause chain</h3>
        <CauseChain error={error()} />
      </Show>
      <Show when={props.node}>
        <h3>Config</h3>
        <Show when={location()} fallback={<pre class="code">{pretty(props.node!.config)}</pre>}>
          {(where) => (
            <>
              <p class="hint">
                The failing field: <code>{where().path}</code>
              </p>
              <Highlighted text={where().text} start={where().start} end={where().end} />
            </>
          )}
        </Show>
      </Show>
      <Show when={props.step.type === 'http.request'}>
        <h3>HTTP</h3>
        <Show
          when={details()?.http}
          fallback={
            <dl class="http-request">
              <dt>Request</dt>
              <dd>
                <code>
                  {String((props.node?.config as Record<string, unknown> | undefined)?.method ?? 'GET')}{' '}
                  {String((props.node?.config as Record<string, unknown> | undefined)?.url ?? '')}
                </code>
              </dd>
              <dt>Headers</dt>
              <dd>
                <pre class="code">{pretty(maskHeaders((props.node?.config as Record<string, unknown> | undefined)?.headers ?? {}))}</pre>
              </dd>
              <dt>Response</dt>
              <dd class="hint">As the error says above (this server does not keep the response of a failed request).</dd>
            </dl>
          }
        >
          {(http) => (
            <>
              <JsonTree label="Request" root="request" value={maskRequest(http().request)} />
              <JsonTree label="Response" root="response" value={http().response} />
            </>
          )}
        </Show>
      </Show>
      <h3>Step input</h3>
      <JsonTree label="Step input" root="input" value={input()} />
      <h3>Attempts</h3>
      <ol class="attempts" data-testid="overlay-attempts">
        <For each={attempts()}>
          {(a) => (
            <li>
              Attempt {a.attempt} at <time dateTime={a.at}>{formatTime(a.at)}</time>: {a.error.message ?? a.error.type ?? 'failed'}
            </li>
          )}
        </For>
        <li>
          Final attempt
          <Show when={run()?.finishedAt}>
            {' '}
            at <time dateTime={run()!.finishedAt}>{formatTime(run()!.finishedAt)}</time>
          </Show>
          : {errorMessage(error())}
        </li>
      </ol>
      <div class="actions">
        <A class="button" href={`/workflows/${props.workflowId}?node=${encodeURIComponent(props.step.nodeId)}`}>
          Open in editor
        </A>
        <button type="button" onClick={() => void copyReport()}>
          Copy report
        </button>
        <span role="status" class="hint">
          {copied()}
        </span>
      </div>
      <Show when={props.canRetry && props.version !== null}>
        <h3>Retry</h3>
        <p class="hint">
          A new run from this node; the steps before it are not run again (their recorded outputs are reused). Fix the node, deploy, then retry on the new
          version.
        </p>
        <RelaunchForm
          executionId={props.executionId}
          workflowId={props.workflowId}
          runVersion={props.version!}
          fromNodeId={props.step.nodeId}
          onStarted={props.onRetried}
        />
      </Show>
    </div>
  );
}

function maskRequest(request: unknown): unknown {
  if (!request || typeof request !== 'object') return request;
  const r = request as Record<string, unknown>;
  return 'headers' in r ? { ...r, headers: maskHeaders(r.headers) } : r;
}

function location_href(): string {
  return globalThis.location?.href ?? '';
}
