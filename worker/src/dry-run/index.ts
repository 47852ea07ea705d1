// A dry run of a plan on a past run's recorded input, for checking a new version before it is deployed.
export { dryRunPlan, type DryRunNote, type DryRunOptions, type DryRunOutcome, type DryRunStatus } from './dry-run.js';
export { recordedRunOf, type RecordedEvent, type RecordedRun, type RecordedStep } from './recorded.js';
