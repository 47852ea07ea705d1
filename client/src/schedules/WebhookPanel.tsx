import { createResource, createSignal, For, Show } from 'solid-js';
import type { WorkflowDefinition } from '@tandem/schema';
import { describeError } from '../lib/api';
import { exportWorkflow, getWebhookSettings, rotateWebhookSecret, type Role } from '../lib/queries';
import './schedules.css';
import { ErrorText } from '../lib/ErrorText';

interface WebhookInfo {
  role: Role;
  secret: string | null;
  latestVersion: number;
  hooks: Array<{ nodeId: string; name?: string; path: string; respond: boolean }>;
}

/** The webhook triggers of the latest deployed version (deliveries are matched against it, not the draft). */
async function loadWebhooks(workflowId: string): Promise<WebhookInfo> {
  const { myRole, webhookSecret, latestVersion } = await getWebhookSettings(workflowId);
  let definition: WorkflowDefinition | null = null;
  if (latestVersion > 0) definition = await exportWorkflow(workflowId, latestVersion);
  const hooks = (definition?.nodes ?? [])
    .filter((node) => node.type === 'trigger.webhook')
    .map((node) => {
      const config = (node.config ?? {}) as { path?: unknown; respond?: unknown };
      return {
        nodeId: node.id,
        ...(node.name ? { name: node.name } : {}),
        path: typeof config.path === 'string' ? config.path : node.id,
        respond: config.respond === true,
      };
    });
  return { role: myRole, secret: webhookSecret, latestVersion, hooks };
}

export function webhookUrl(workflowId: string, path: string, origin = location.origin): string {
  return `${origin}/hooks/${encodeURIComponent(workflowId)}/${path
    .split('/')
    .map((part) => encodeURIComponent(part))
    .join('/')}`;
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The URL of each webhook trigger and the workflow's webhook secret (editors and the owner
 * only: the API gives viewers `null`); the owner can replace the secret.
 */
export function WebhookPanel(props: { workflowId: string }) {
  const [info, { refetch, mutate }] = createResource(() => props.workflowId, loadWebhooks);
  const [shown, setShown] = createSignal(false);
  const [message, setMessage] = createSignal('');
  const [error, setError] = createSignal('');
  const copyText = async (text: string, what: string) =>
    setMessage((await copy(text)) ? `Copied the ${what}.` : `Copy failed: select the ${what} and copy it by hand.`);
  const rotate = async () => {
    if (!confirm('Replace the webhook secret? Senders using the old one will be refused from now on.')) return;
    setError('');
    try {
      const secret = await rotateWebhookSecret(props.workflowId);
      const current = info();
      if (current) mutate({ ...current, secret });
      setShown(true);
      setMessage('The webhook secret was replaced.');
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Show when={info.error || (info()?.hooks.length ?? 0) > 0}>
      <section class="panel webhooks" aria-label="Webhooks">
        <h2>Webhooks</h2>
        <Show when={info.error}>
          <p class="error" role="alert">
            {describeError(info.error)}{' '}
            <button type="button" class="link" onClick={() => void refetch()}>
              Try again
            </button>
          </p>
        </Show>
        <Show when={info()}>
          {(i) => (
            <>
              <p class="hint">
                Deliveries start runs of version {i().latestVersion}: <code>POST</code> to a URL below with the secret in the{' '}
                <code>x-tandem-webhook-secret</code> header, or an <code>x-tandem-signature: sha256=…</code> HMAC of the body.
              </p>
              <ul class="webhook-list">
                <For each={i().hooks}>
                  {(hook) => {
                    const url = () => webhookUrl(props.workflowId, hook.path);
                    return (
                      <li>
                        <span>
                          Node <strong>{hook.name ?? hook.nodeId}</strong>
                          <Show when={hook.respond}>
                            <span class="hint"> (answers with the run's result)</span>
                          </Show>
                        </span>
                        <span class="copy-row">
                          <code class="webhook-url" data-testid={`webhook-url-${hook.nodeId}`}>
                            {url()}
                          </code>
                          <button type="button" onClick={() => void copyText(url(), 'URL')}>
                            Copy URL<span class="sr-only"> of {hook.nodeId}</span>
                          </button>
                        </span>
                      </li>
                    );
                  }}
                </For>
              </ul>
              <Show when={i().secret} fallback={<p class="hint">Only editors and the owner can see the webhook secret.</p>}>
                {(secret) => (
                  <div class="copy-row">
                    <span>Secret</span>
                    <code class="webhook-secret" data-testid="webhook-secret">
                      {shown() ? secret() : '•'.repeat(24)}
                    </code>
                    <button type="button" onClick={() => setShown(!shown())} aria-pressed={shown()}>
                      {shown() ? 'Hide secret' : 'Show secret'}
                    </button>
                    <button type="button" onClick={() => void copyText(secret(), 'secret')}>
                      Copy secret
                    </button>
                    <Show when={i().role === 'OWNER'}>
                      <button type="button" class="danger" onClick={() => void rotate()}>
                        Replace secret
                      </button>
                    </Show>
                  </div>
                )}
              </Show>
              <ErrorText message={error()} />
              <p class="hint" role="status">
                {message()}
              </p>
            </>
          )}
        </Show>
      </section>
    </Show>
  );
}
