import { proxySinks, workflowInfo } from '@temporalio/workflow';
import type { ExecutionEventType, JsonValue, StepValues } from '@tandem/schema';
import type { TandemSinks } from './types.js';

const { tandemEvents } = proxySinks<TandemSinks>();

/**
 * Numbers events deterministically and hands them to the worker through a sink, which
 * Temporal does not call while replaying history: each event leaves the workflow once per
 * first execution of its code (and again only if that workflow task had to be retried).
 */
export class EventEmitter {
  private sequence: number;

  constructor(
    private readonly executionId: string,
    firstSequence = 1,
  ) {
    this.sequence = firstSequence;
  }

  get nextSequence(): number {
    return this.sequence;
  }

  emit(type: ExecutionEventType, nodeId: string | null, data: Record<string, JsonValue | undefined>, values?: StepValues): void {
    const info = workflowInfo();
    tandemEvents.emit({
      executionId: this.executionId,
      sequence: this.sequence++,
      type,
      nodeId,
      at: new Date().toISOString(),
      temporalWorkflowId: info.workflowId,
      temporalRunId: info.runId,
      data,
      ...(values ? { values } : {}),
    });
  }
}
