export { createTandemWorker, installationOfIdentity, SHUTDOWN_FORCE_MARGIN_MS, workerIdentity, type TandemWorkerOptions } from './worker.js';
export { bundleInterpreterWorkflow, interpreterBundle, quietLogger, WORKFLOWS_PATH } from './bundle.js';
export * from './dry-run/index.js';
export { historyEventsToJSON, replayInterpreterHistories, type HistoryToReplay, type ReplayVerdict } from './replay.js';
export { createActivities, NetworkPolicy, type ActivityOptions, type HttpActivityOptions, type SecretResolver } from './activities/index.js';
export * from './events/index.js';
export {
  INTERPRETER_WORKFLOW,
  STEP_FAILURE_TYPE,
  QUARANTINE_REASON,
  INTERPRETER_SIGNALS,
  INTERPRETER_QUERIES,
  type CustomSignal,
  type ExecutionOrigin,
  type SubPlan,
  subplanKey,
  type LiveState,
  type LiveStatus,
  HTTP_FAILURE,
  type InterpreterInput,
  type ReusedStep,
  type StepFailureDetails,
  type TandemSinks,
  type HttpRequestInput,
  type HttpResponseOutput,
  type SecretsContext,
} from './workflows/types.js';
export { interpreterWorkflowId } from './workflows/workflow-id.js';
export { workerMetrics } from './metrics.js';
export { switchSetting } from './settings.js';
export { createLogger, logLevel, processLog, REDACTED_PATHS, useProcessLogger, type Logger, type LoggerOptions } from './logging.js';
