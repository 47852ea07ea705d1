// `npm run start:server`: the API server as its own process (production: with REDIS_URL,
// DATABASE_URL and TEMPORAL_ADDRESS; workers run as `npm run start:worker`).
import { InProcessEventBus, RedisEventBus } from '@tandem/worker';
import { readServerConfig } from './config.js';
import { startTandemServer } from './tandem-server.js';

const config = readServerConfig();
if (!config.redisUrl) console.warn('REDIS_URL is not set: this server hears only events from workers in its own process.');
const bus = config.redisUrl ? new RedisEventBus({ url: config.redisUrl }) : new InProcessEventBus();
const server = await startTandemServer({ config, bus });
console.log(`Tandem API on ${server.url}/graphql`);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing subscriptions and draining requests...`);
    void server
      .close()
      .then(() => bus.close())
      .then(() => process.exit(0));
  });
}
