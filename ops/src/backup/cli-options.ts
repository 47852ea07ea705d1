/** A whole number ≥ `min` given on the command line or in the environment; a clear error otherwise. */
export function wholeNumberOption(name: string, raw: string | undefined, min = 0): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, not "${raw}"`);
  return value;
}

/** Runs a command-line tool's body: its error's message (no stack) and exit status 1 when it throws. */
export function runTool(body: () => Promise<void>): void {
  body().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`error: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
