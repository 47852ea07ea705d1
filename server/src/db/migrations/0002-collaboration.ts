import { KnexMigration } from './knex-migration.js';

/** Yjs documents of workflow drafts, workflow members (roles), and server-wide secrets. */
export class Migration0002Collaboration extends KnexMigration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    // The compacted document: every update with id <= through_id is merged into `state`.
    this.addStatements(
      knex.schema.createTable('collab_documents', (t) => {
        t.string('workflow_id', 36).primary().references('id').inTable('workflows').onDelete('CASCADE');
        t.binary('state').notNullable();
        t.bigInteger('through_id').notNullable();
        t.timestamp('updated_at', { useTz: true }).notNullable();
      }),
    );
    // Accepted updates not yet compacted, in the order they were persisted.
    this.addStatements(
      knex.schema.createTable('collab_updates', (t) => {
        t.bigIncrements('id').primary();
        t.string('workflow_id', 36).notNullable().references('id').inTable('workflows').onDelete('CASCADE');
        t.binary('data').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.index(['workflow_id', 'id']);
      }),
    );
    this.addStatements(
      knex.schema.createTable('workflow_members', (t) => {
        t.string('workflow_id', 36).notNullable().references('id').inTable('workflows').onDelete('CASCADE');
        t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('role', 16).notNullable();
        t.string('added_by_id', 36).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.primary(['workflow_id', 'user_id']);
        t.index(['user_id']);
      }),
    );
    // Secrets every API server of a deployment must share (e.g. the key that signs collaboration tickets).
    this.addStatements(
      knex.schema.createTable('server_secrets', (t) => {
        t.string('name', 100).primary();
        t.string('value', 200).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
      }),
    );
    // The Yjs snapshot a version was deployed from (rebuilds that state from the document's history).
    this.addStatements(
      knex.schema.alterTable('workflow_versions', (t) => {
        t.binary('doc_snapshot').nullable();
      }),
    );
  }
}
