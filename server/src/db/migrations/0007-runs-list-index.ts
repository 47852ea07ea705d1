import { KnexMigration } from './knex-migration.js';

/**
 * The runs list of one workflow (newest first, the id breaking ties) read from its index alone:
 * with the id in the index, a page is the index's first rows instead of every run of the
 * workflow sorted (docs/performance.md). It replaces the index without the id.
 */
export class Migration0007RunsListIndex extends KnexMigration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    this.addStatements(
      knex.schema.alterTable('executions', (t) => {
        t.index(['workflow_id', 'started_at', 'id']);
      }),
    );
    this.addStatements(
      knex.schema.alterTable('executions', (t) => {
        t.dropIndex(['workflow_id', 'started_at']);
      }),
    );
  }
}
