import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal } from 'solid-js';
import { describeError } from '../lib/api';
import { signIn, signUp } from '../lib/queries';
import { setSession } from '../lib/session';
import { useTitle } from '../lib/title';
import { ErrorText } from '../lib/ErrorText';

function useAfterSignIn() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  return () => {
    const next = typeof params.next === 'string' && params.next.startsWith('/') && !params.next.startsWith('//') ? params.next : '/';
    navigate(next, { replace: true });
  };
}

export function SignIn() {
  useTitle(() => 'Sign in');
  const done = useAfterSignIn();
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError('');
    try {
      setSession(await signIn(String(form.get('email')), String(form.get('password'))));
      done();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="auth page">
      <h1>Sign in to Tandem</h1>
      <form onSubmit={submit} class="stack">
        <label>
          Email
          <input name="email" type="email" autocomplete="email" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <ErrorText message={error()} />
        <button type="submit" class="primary" disabled={busy()}>
          Sign in
        </button>
      </form>
      <p>
        New here? <A href="/signup">Create an account</A>
      </p>
    </section>
  );
}

export function SignUp() {
  useTitle(() => 'Create an account');
  const done = useAfterSignIn();
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError('');
    try {
      setSession(await signUp(String(form.get('name')), String(form.get('email')), String(form.get('password'))));
      done();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="auth page">
      <h1>Create your Tandem account</h1>
      <form onSubmit={submit} class="stack">
        <label>
          Name
          <input name="name" autocomplete="name" required />
        </label>
        <label>
          Email
          <input name="email" type="email" autocomplete="email" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="new-password" minLength={8} required aria-describedby="password-hint" />
        </label>
        <p id="password-hint" class="hint">
          At least 8 characters; not a common password, and not your email or name.
        </p>
        <ErrorText message={error()} />
        <button type="submit" class="primary" disabled={busy()}>
          Create account
        </button>
      </form>
      <p>
        Already have an account? <A href="/signin">Sign in</A>
      </p>
    </section>
  );
}
