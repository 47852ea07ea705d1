import type { User } from '../db/entities.js';
import { unauthenticated } from '../errors.js';
import type { AccountService } from '../services/accounts.js';
import type { EventIngest } from '../services/event-ingest.js';
import type { EventStreams } from '../services/event-streams.js';
import type { ExecutionService } from '../services/executions.js';
import type { WorkflowService } from '../services/workflows.js';
import type { ScheduleService } from '../services/schedules.js';
import type { TemplateService } from '../services/templates.js';
import type { AccessService } from '../services/access.js';
import type { CollabService } from '../collab/collab-service.js';
import type { SecretService } from '../services/secrets.js';
import type { AuditService } from '../services/audit.js';
import type { ReplayService } from '../services/replay.js';
import type { MetricsService } from '../services/metrics.js';
import type { SystemService } from '../services/system.js';

export interface Services {
  accounts: AccountService;
  workflows: WorkflowService;
  executions: ExecutionService;
  /** The stored event log and the live streams that follow it. */
  events: EventStreams;
  /** Stores events from the bus and moves execution rows (not used by resolvers). */
  eventIngest: EventIngest;
  schedules: ScheduleService;
  templates: TemplateService;
  access: AccessService;
  collab: CollabService;
  secrets: SecretService;
  audit: AuditService;
  /** Whole step values, Temporal histories, retries. */
  replay: ReplayService;
  /** Run and step figures in time buckets, read per workflow and across workflows. */
  metrics: MetricsService;
  /** This server's system figures (systemMetrics), for the installation's owner. */
  system: SystemService;
}

/** Per operation: who is asking, and the services. */
export interface ApiContext {
  requestId: string;
  user: User | null;
  /** The bearer secret of this request, for signOut. */
  token: string | null;
  /** The client's address (for per-address limits). */
  clientAddress?: string;
  /** Where the client reached this server, e.g. https://tandem.example.com (for collaboration URLs). */
  publicUrl?: string;
  services: Services;
}

export function requireUser(context: ApiContext): User {
  if (!context.user) throw unauthenticated();
  return context.user;
}

/** What a subscription's `subscribe` gets: its arguments and the connection's context. */
export interface SubscribeData<Args> {
  args: Args;
  context: ApiContext;
}
