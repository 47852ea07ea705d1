export type { ExecutionEventBus, EventListener, SubscribeOptions } from './bus.js';
export { InProcessEventBus } from './in-process.js';
export { RedisEventBus, type RedisEventBusOptions } from './redis.js';
export { IpcEventBus, type WorkerMessage } from './ipc.js';
