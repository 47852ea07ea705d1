// `npm start`: Tandem on one machine with embedded defaults — Temporal (dev server unless
// TEMPORAL_ADDRESS), the worker and the API server in this process, sharing the event bus.
import { readServerConfig, startTandemServer } from '@tandem/server';
import { ensureClientBuilt, serveClient } from './client.js';
import { startEmbedded } from './embedded.js';

try {
  ensureClientBuilt();
  const tandem = await startEmbedded();
  const config = { ...readServerConfig(), dataDir: tandem.env.dataDir, temporalAddress: tandem.temporal.address };
  const server = await startTandemServer({ config, bus: tandem.bus, extend: serveClient() });
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log(`${signal}: closing subscriptions, draining requests and the worker, stopping Temporal...`);
      server
        .close()
        .then(() => console.log('API server closed; draining the worker...'))
        .then(() => tandem.stop())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            console.error(error);
            process.exit(1);
          },
        );
    });
  }
  console.log(`Tandem is running: the web client at ${server.url}/, GraphQL at ${server.url}/graphql (health: /healthz, readiness: /readyz)`);
  await tandem.running;
} catch (error) {
  // The install script has already said what to install or set; anything else is shown as is.
  console.error((error as Error).message);
  process.exit(1);
}
