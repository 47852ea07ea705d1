import { createResource, createSignal, For, Show } from 'solid-js';
import { describeError } from '../lib/api';
import { formatTime } from '../lib/format';
import { createApiToken, listApiTokens, revokeApiToken, type ApiToken } from '../lib/queries';
import { user } from '../lib/session';
import { useTitle } from '../lib/title';
import { ErrorText } from '../lib/ErrorText';

/** Account settings: API tokens for integrators (the secret is shown once). */
export default function SettingsPage() {
  useTitle(() => 'Settings');
  const [tokens, { refetch }] = createResource(listApiTokens);
  const [name, setName] = createSignal('');
  const [secret, setSecret] = createSignal<{ name: string; secret: string } | null>(null);
  const [error, setError] = createSignal('');
  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    setError('');
    try {
      const created = await createApiToken(name().trim());
      setSecret({ name: created.token.name, secret: created.secret });
      setName('');
      await refetch();
    } catch (e) {
      setError(describeError(e));
    }
  };
  const revoke = async (token: ApiToken) => {
    if (!confirm(`Revoke "${token.name}"? Integrations using it stop working.`)) return;
    setError('');
    try {
      await revokeApiToken(token.id);
      await refetch();
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <section class="page settings">
      <h1>Settings</h1>
      <Show when={user()}>
        {(u) => (
          <p>
            Signed in as <strong>{u().name}</strong> ({u().email}).
          </p>
        )}
      </Show>
      <h2>API tokens</h2>
      <p class="hint">For integrators: send a token as Authorization: Bearer &lt;token&gt; to /graphql. It acts as you.</p>
      <form class="inline" onSubmit={create}>
        <label class="sr-only" for="token-name">
          Token name
        </label>
        <input id="token-name" placeholder="Token name, e.g. CI" value={name()} onInput={(e) => setName(e.currentTarget.value)} required />
        <button type="submit" class="primary" disabled={!name().trim()}>
          Create token
        </button>
      </form>
      <Show when={secret()}>
        {(s) => (
          <div class="panel notice" role="status">
            <p>
              The secret of <strong>{s().name}</strong>, shown only now — store it:
            </p>
            <pre class="code" data-testid="token-secret">
              {s().secret}
            </pre>
            <div class="actions">
              <button type="button" onClick={() => void navigator.clipboard?.writeText(s().secret)}>
                Copy
              </button>
              <button type="button" onClick={() => setSecret(null)}>
                Done
              </button>
            </div>
          </div>
        )}
      </Show>
      <ErrorText message={error()} />
      <Show when={(tokens()?.length ?? 0) > 0} fallback={<p class="empty">No tokens.</p>}>
        <div class="table-scroll">
          <table class="list">
            <caption class="sr-only">API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col" class="hide-narrow">
                  Created
                </th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={tokens()}>
                {(token) => (
                  <tr>
                    <td>{token.name}</td>
                    <td>
                      <code>{token.prefix}…</code>
                    </td>
                    <td class="hide-narrow">{formatTime(token.createdAt)}</td>
                    <td>{token.lastUsedAt ? formatTime(token.lastUsedAt) : 'never'}</td>
                    <td>
                      <Show when={!token.revokedAt} fallback={<span class="hint">revoked {formatTime(token.revokedAt)}</span>}>
                        <button type="button" class="danger" onClick={() => revoke(token)} aria-label={`Revoke ${token.name}`}>
                          Revoke
                        </button>
                      </Show>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </section>
  );
}
