import { getLatestVersion } from '../lib/queries';

/** How often an open workflow asks for its latest version (deploys have no live event of their own). */
const POLL_MS = 5_000;

/**
 * Calls `onVersion` with the workflow's latest deployed version every few seconds while the page
 * is visible, and at once when it becomes visible again; returns the function that stops it.
 */
export function followLatestVersion(workflowId: string, onVersion: (latest: number) => void): () => void {
  const check = () => {
    if (document.visibilityState !== 'visible') return;
    getLatestVersion(workflowId).then(onVersion, () => {}); // a failed poll waits for the next one
  };
  const timer = setInterval(check, POLL_MS);
  document.addEventListener('visibilitychange', check);
  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', check);
  };
}
