import { KnexMigration } from './knex-migration.js';

/** The audit log of security-relevant actions. */
export class Migration0004AuditEvents extends KnexMigration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    // No foreign keys: an event outlives the workflow, token or secret it is about.
    this.addStatements(
      knex.schema.createTable('audit_events', (t) => {
        t.bigIncrements('id').primary();
        t.timestamp('at', { useTz: true }).notNullable();
        t.string('action', 32).notNullable();
        t.string('actor_id', 36).nullable();
        t.string('target_type', 16).notNullable();
        t.string('target_id', 100).nullable();
        // Whose resource it concerns (the workflow's owner, the account's user): they may read the event.
        t.string('owner_id', 36).nullable();
        t.string('workflow_id', 36).nullable();
        t.json('details').notNullable();
        t.string('client_address', 64).nullable();
        t.index(['actor_id', 'id']);
        t.index(['owner_id', 'id']);
      }),
    );
  }
}
