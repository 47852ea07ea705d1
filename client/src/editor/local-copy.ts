import type * as Y from 'yjs';

/** IndexedDB names of local copies start with this, so signing out can find and remove them all. */
const PREFIX = 'tandem-draft:';

/**
 * Keeps a copy of a workflow's document in the browser (IndexedDB), so edits made while
 * offline survive closing the tab: the next time the editor opens, they are in the document
 * and reach the server with the first sync. Per user, so people sharing a browser never
 * see each other's copies; removed on sign-out.
 */
export async function keepLocalCopy(userId: string, workflowId: string, doc: Y.Doc): Promise<() => void> {
  if (typeof indexedDB === 'undefined') return () => {};
  const { IndexeddbPersistence } = await import('y-indexeddb');
  const persistence = new IndexeddbPersistence(`${PREFIX}${userId}:${workflowId}`, doc);
  await persistence.whenSynced;
  return () => void persistence.destroy();
}

/** Removes one local copy (e.g. once someone is only a viewer: their edits are not kept anywhere). */
export async function dropLocalCopy(userId: string, workflowId: string): Promise<void> {
  if (typeof indexedDB === 'undefined') return;
  await deleteDatabase(`${PREFIX}${userId}:${workflowId}`);
}

/** Removes every local copy in this browser (signing out). */
export async function dropAllLocalCopies(): Promise<void> {
  if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return;
  const databases = await indexedDB.databases();
  await Promise.all(databases.filter((d) => d.name?.startsWith(PREFIX)).map((d) => deleteDatabase(d.name!)));
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => resolve();
    request.onblocked = () => resolve();
  });
}
