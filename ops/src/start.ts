// `npm start`: Tandem on one machine with embedded defaults. The API server joins this process with the API issue.
import { startEmbedded } from './embedded.js';

try {
  const tandem = await startEmbedded();
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log(`${signal}: draining the worker and stopping Temporal...`);
      tandem.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    });
  }
  console.log('Tandem is running. Run a workflow file with: npm run workflow -- run <file.json> --input \'{"a":1}\'');
  await tandem.running;
} catch (error) {
  // The install script has already said what to install or set; anything else is shown as is.
  console.error((error as Error).message);
  process.exit(1);
}
