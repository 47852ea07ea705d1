import type { NativeConnection} from '@temporalio/worker';
import { Worker, type InjectedSinks, type WorkflowBundle } from '@temporalio/worker';
import type { EmittedEvent } from '@tandem/schema';
import { createActivities, type ActivityOptions } from './activities/index.js';
import { bundleInterpreterWorkflow } from './bundle.js';
import type { ExecutionEventBus } from './events/index.js';
import type { TandemSinks } from './workflows/types.js';

export interface TandemWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  bus: ExecutionEventBus;
  activities?: ActivityOptions;
  /** A prebuilt bundle (tests reuse one); bundled on creation when omitted. */
  workflowBundle?: WorkflowBundle;
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  /** Called when an event cannot be handed to the bus. */
  onPublishError?: (error: unknown, event: EmittedEvent) => void;
}

/** A Temporal worker that runs the interpreter workflow and its activities, publishing events to the bus. */
export async function createTandemWorker(options: TandemWorkerOptions): Promise<Worker> {
  const onError = options.onPublishError ?? ((error, event) => console.error(`event ${event.executionId}#${event.sequence} not published:`, error));
  const sinks: InjectedSinks<TandemSinks> = {
    tandemEvents: {
      emit: {
        fn: (_info, event) => {
          options.bus.publish(event).catch((error: unknown) => onError(error, event));
        },
        callDuringReplay: false,
      },
    },
  };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle ?? (await bundleInterpreterWorkflow()),
    activities: createActivities(options.activities),
    sinks,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 100,
    maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions ?? 100,
  });
}
