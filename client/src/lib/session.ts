import { createSignal } from 'solid-js';

/** The signed-in session: the bearer token is kept in localStorage so a reload keeps it. */
export interface SessionUser {
  id: string;
  name: string;
  email: string;
}

const TOKEN_KEY = 'tandem.token';
const USER_KEY = 'tandem.user';

function readUser(): SessionUser | null {
  try {
    const raw = localStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as SessionUser) : null;
  } catch {
    return null;
  }
}

const [token, setTokenSignal] = createSignal<string | null>(localStorage.getItem(TOKEN_KEY));
const [user, setUserSignal] = createSignal<SessionUser | null>(readUser());

export { token, user };

export function setSession(next: { token: string; user: SessionUser } | null): void {
  if (next) {
    localStorage.setItem(TOKEN_KEY, next.token);
    localStorage.setItem(USER_KEY, JSON.stringify(next.user));
  } else {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(USER_KEY);
  }
  setTokenSignal(next?.token ?? null);
  setUserSignal(next?.user ?? null);
}
