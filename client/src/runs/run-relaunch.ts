import type { ExecutionStatus } from '@tandem/schema';
import { gql } from '../lib/api';
import { listVersions } from '../lib/queries';

/**
 * Starting an ended run again: a retry from a node (the steps before it are reused, not run
 * again) or a run from the start with the same input, on the run's version or a newer one;
 * and the links between a run and the runs started from it.
 */

/** Starts a new run that retries `executionId` from `fromNodeId` (on `version`, or the run's own). */
export async function retryExecution(executionId: string, fromNodeId: string, version?: number): Promise<{ id: string }> {
  const data = await gql<{ retryExecution: { id: string } }>(
    'mutation Retry($id: ID!, $fromNodeId: ID, $version: Int) { retryExecution(id: $id, fromNodeId: $fromNodeId, version: $version) { id } }',
    { id: executionId, fromNodeId, version: version ?? null },
  );
  return data.retryExecution;
}

/** Starts `executionId`'s workflow again from the start with the same input and trigger (on `version`, or the run's own). */
export async function rerunExecution(executionId: string, version?: number): Promise<{ id: string }> {
  const data = await gql<{ rerunExecution: { id: string } }>('mutation Rerun($id: ID!, $version: Int) { rerunExecution(id: $id, version: $version) { id } }', {
    id: executionId,
    version: version ?? null,
  });
  return data.rerunExecution;
}

export interface VersionChoice {
  number: number;
  label: string;
}

/**
 * The versions a run can be started again on, newest first: its own and every newer deployed
 * one (the server refuses older ones). The newest is the usual choice: fix, deploy, retry.
 */
export function versionChoices(runVersion: number, deployed: ReadonlyArray<{ number: number; message: string }>): VersionChoice[] {
  const usable = deployed.filter((v) => v.number >= runVersion).sort((a, b) => b.number - a.number);
  if (!usable.some((v) => v.number === runVersion)) usable.push({ number: runVersion, message: '' });
  const newest = usable[0]!.number;
  return usable.map((v) => {
    const notes = [v.number === newest && newest !== runVersion ? 'newest' : '', v.number === runVersion ? "this run's" : ''].filter(Boolean);
    const message = v.message ? ` “${v.message.length > 40 ? `${v.message.slice(0, 39)}…` : v.message}”` : '';
    return { number: v.number, label: `v${v.number}${notes.length ? ` (${notes.join(', ')})` : ''}${message}` };
  });
}

/** The choices for a run of `workflowId` on `runVersion`, from the deployed versions. */
export async function loadVersionChoices(workflowId: string, runVersion: number): Promise<VersionChoice[]> {
  const { items } = await listVersions(workflowId);
  return versionChoices(runVersion, items);
}

export interface RelatedRun {
  id: string;
  status: ExecutionStatus;
  versionNumber: number;
  /** The node a retry ran from; null for a run again from the start. */
  retryFromNodeId: string | null;
}

/** A run's links: the run it was started from and the runs started from it, oldest first. */
export interface RunLineage {
  retryFromNodeId: string | null;
  retryOf: RelatedRun | null;
  retries: RelatedRun[];
}

const RELATED = 'id status versionNumber retryFromNodeId';

export async function runLineage(executionId: string): Promise<RunLineage> {
  const data = await gql<{ execution: RunLineage | null }>(
    `query Lineage($id: ID!) { execution(id: $id) { retryFromNodeId retryOf { ${RELATED} } retries { ${RELATED} } } }`,
    { id: executionId },
  );
  return data.execution ?? { retryFromNodeId: null, retryOf: null, retries: [] };
}

/** How a run's runs are named in links: the first 8 characters of the id, as the runs list does. */
export const shortRunId = (id: string): string => `#${id.slice(0, 8)}`;
