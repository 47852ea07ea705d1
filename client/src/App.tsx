import { A, Navigate, Route, Router, useNavigate, type RouteSectionProps } from '@solidjs/router';
import { lazy, Show, type JSX } from 'solid-js';
import { signOut } from './lib/queries';
import { dropAllLocalCopies } from './editor/local-copy';
import { setSession, token, user } from './lib/session';
import { SignIn, SignUp } from './pages/Auth';
import { WorkflowList } from './pages/WorkflowList';

// Heavier screens (the editor with Yjs, the run view) load when first opened.
const WorkflowPage = lazy(() => import('./pages/WorkflowPage'));
const RunPage = lazy(() => import('./pages/RunPage'));
const TemplatesPage = lazy(() => import('./pages/TemplatesPage'));
const SettingsPage = lazy(() => import('./pages/SettingsPage'));
const DashboardPage = lazy(() => import('./pages/DashboardPage'));

function Shell(props: RouteSectionProps) {
  const navigate = useNavigate();
  const out = async () => {
    try {
      await signOut();
    } catch {
      // The session is dropped locally whatever the server says.
    }
    setSession(null);
    // Local copies of drafts belong to the session that made them.
    await dropAllLocalCopies().catch(() => {});
    navigate('/signin');
  };
  return (
    <div class="app">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="/">
          Tandem
        </a>
        <Show when={user()}>
          <nav class="topnav" aria-label="Main">
            <A href="/" end>
              Workflows
            </A>
            <A href="/dashboard">Dashboard</A>
            <A href="/templates">Templates</A>
            <A href="/settings">Settings</A>
          </nav>
        </Show>
        <Show when={user()}>
          {(u) => (
            <nav class="account" aria-label="Account">
              <span class="who">{u().name}</span>
              <button type="button" class="link" onClick={out}>
                Sign out
              </button>
            </nav>
          )}
        </Show>
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}

function Private(props: { children: JSX.Element }) {
  return (
    <Show when={token()} fallback={<Navigate href={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} />}>
      {props.children}
    </Show>
  );
}

export function App() {
  return (
    <Router root={Shell}>
      <Route path="/signin" component={SignIn} />
      <Route path="/signup" component={SignUp} />
      <Route
        path="/"
        component={() => (
          <Private>
            <WorkflowList />
          </Private>
        )}
      />
      <Route
        path="/workflows/:id/:tab?"
        component={() => (
          <Private>
            <WorkflowPage />
          </Private>
        )}
      />
      <Route
        path="/dashboard"
        component={() => (
          <Private>
            <DashboardPage />
          </Private>
        )}
      />
      <Route
        path="/settings"
        component={() => (
          <Private>
            <SettingsPage />
          </Private>
        )}
      />
      <Route
        path="/templates"
        component={() => (
          <Private>
            <TemplatesPage />
          </Private>
        )}
      />
      <Route
        path="/runs/:id"
        component={(props) => (
          <Private>
            {/* Keyed: going from one run to another (parent ↔ sub-workflow run) mounts a fresh view with its own event stream. */}
            <Show when={props.params.id} keyed>
              {(_id) => <RunPage />}
            </Show>
          </Private>
        )}
      />
      <Route
        path="*"
        component={() => (
          <p class="page">
            This page does not exist. <a href="/">Back to your workflows</a>
          </p>
        )}
      />
    </Router>
  );
}
