// `npm run start:server`: the API server as its own process (production: with REDIS_URL,
// DATABASE_URL and TEMPORAL_ADDRESS; workers run as `npm run start:worker`). The container
// image runs ops' api-main instead, which also serves the built web client.
import { runApiProcess } from './api-process.js';

await runApiProcess();
