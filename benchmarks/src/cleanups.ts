/**
 * Resources a benchmark started, released newest first however it ends: normally, on an error,
 * or on SIGINT/SIGTERM (then the process exits with 130).
 */
export class Cleanups {
  private readonly stack: Array<{ name: string; run: () => Promise<void> }> = [];
  /** Settles once everything started during start-up is registered (or failed to start). */
  startedUp: Promise<unknown> = Promise.resolve();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.log(`${signal}: stopping`);
    // Something still starting is registered when it answers; wait for that so it is not left behind.
    void this.startedUp.then(() => this.run()).finally(() => process.exit(130));
  };

  constructor(private readonly log: (message: string) => void) {
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  add(name: string, run: () => Promise<void>): void {
    this.stack.push({ name, run });
  }

  /** Registers `stop` for `resource` and hands the resource back. */
  owned<T>(name: string, resource: T, stop: () => Promise<void>): T {
    this.add(name, stop);
    return resource;
  }

  async run(): Promise<void> {
    while (this.stack.length > 0) {
      const { name, run } = this.stack.pop()!;
      try {
        await run();
      } catch (error) {
        this.log(`stopping ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  }

  /** Stops listening for signals, once the benchmark finished cleanly. */
  release(): void {
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
  }
}
