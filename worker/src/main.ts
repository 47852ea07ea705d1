// `npm run start:worker`: the worker as its own process, for production deployments.
import { NativeConnection, Runtime } from '@temporalio/worker';
import { InProcessEventBus, RedisEventBus, type ExecutionEventBus } from './events/index.js';
import { NetworkPolicy } from './activities/index.js';
import { createTandemWorker } from './worker.js';

const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? 'tandem';

let bus: ExecutionEventBus;
if (process.env.REDIS_URL) {
  bus = new RedisEventBus({ url: process.env.REDIS_URL });
} else {
  console.warn('REDIS_URL is not set: execution events stay in this process and reach no API server.');
  bus = new InProcessEventBus();
}

// Signals are handled below, in order (drain the worker, then close connections).
Runtime.install({ shutdownSignals: [] });
const connection = await NativeConnection.connect({ address });
const worker = await createTandemWorker({
  connection,
  namespace,
  taskQueue,
  bus,
  activities: { http: { policy: NetworkPolicy.fromEnvironment(process.env.TANDEM_HTTP_ALLOW) } },
});
console.log(`Tandem worker polling task queue "${taskQueue}" on ${address} (namespace ${namespace})`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
await worker.run();
await bus.close();
await connection.close();
