import { KnexMigration } from './knex-migration.js';

/**
 * Replay and retry: a step event may carry the step's whole values (`step_values`, only when
 * the event's own copy was cut, or for an http.request step's exchange), and a run may be the
 * retry of another (`retry_of_id`, and the node it retried from).
 */
export class Migration0005Replay extends KnexMigration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    this.addStatements(
      knex.schema.alterTable('execution_events', (t) => {
        t.json('step_values').nullable();
      }),
    );
    this.addStatements(
      knex.schema.alterTable('executions', (t) => {
        t.string('retry_of_id', 100).nullable();
        t.string('retry_from_node_id', 100).nullable();
        t.index(['retry_of_id']);
      }),
    );
  }
}
