import { KnexMigration } from './knex-migration.js';

export class Migration0001Initial extends KnexMigration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    this.addStatements(
      knex.schema.createTable('users', (t) => {
        t.string('id', 36).primary();
        t.string('email', 320).notNullable().unique();
        t.string('name', 200).notNullable();
        t.string('password_hash', 300).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
      }),
    );
    this.addStatements(
      knex.schema.createTable('access_tokens', (t) => {
        t.string('id', 36).primary();
        t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('kind', 16).notNullable();
        t.string('name', 200).notNullable();
        t.string('token_hash', 64).notNullable().unique();
        t.string('prefix', 16).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.timestamp('expires_at', { useTz: true }).nullable();
        t.timestamp('last_used_at', { useTz: true }).nullable();
        t.timestamp('revoked_at', { useTz: true }).nullable();
        t.index(['user_id']);
      }),
    );
    this.addStatements(
      knex.schema.createTable('workflows', (t) => {
        t.string('id', 36).primary();
        t.string('owner_id', 36).notNullable().references('id').inTable('users');
        t.string('name', 200).notNullable();
        t.text('description').notNullable();
        t.json('definition').notNullable();
        t.integer('latest_version').notNullable();
        t.string('webhook_secret', 64).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.index(['owner_id', 'updated_at']);
      }),
    );
    this.addStatements(
      knex.schema.createTable('workflow_versions', (t) => {
        t.string('id', 36).primary();
        t.string('workflow_id', 36).notNullable().references('id').inTable('workflows').onDelete('CASCADE');
        t.integer('number').notNullable();
        t.json('definition').notNullable();
        t.text('message').notNullable();
        t.string('author_id', 36).notNullable().references('id').inTable('users');
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.unique(['workflow_id', 'number']);
      }),
    );
    this.addStatements(
      knex.schema.createTable('executions', (t) => {
        // Runs started by Tandem have UUIDs; scheduled runs are named by their Temporal workflow id.
        t.string('id', 100).primary();
        t.string('workflow_id', 36).notNullable().references('id').inTable('workflows').onDelete('CASCADE');
        t.string('version_id', 36).notNullable().references('id').inTable('workflow_versions');
        t.integer('version_number').notNullable();
        t.string('started_by_id', 36).notNullable().references('id').inTable('users');
        t.string('status', 16).notNullable();
        t.json('input').notNullable();
        t.json('result').nullable();
        t.json('error').nullable();
        t.timestamp('started_at', { useTz: true }).notNullable();
        t.timestamp('finished_at', { useTz: true }).nullable();
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.string('temporal_workflow_id', 100).notNullable();
        t.string('temporal_run_id', 100).notNullable();
        t.string('parent_execution_id', 100).nullable();
        t.string('parent_node_id', 100).nullable();
        t.index(['workflow_id', 'started_at']);
        t.index(['parent_execution_id']);
        t.index(['status']);
      }),
    );
    this.addStatements(
      knex.schema.createTable('execution_events', (t) => {
        t.bigIncrements('id').primary();
        t.string('execution_id', 100).notNullable().references('id').inTable('executions').onDelete('CASCADE');
        t.integer('sequence').notNullable();
        t.string('type', 32).notNullable();
        t.string('node_id', 100).nullable();
        t.timestamp('at', { useTz: true }).notNullable();
        t.json('data').notNullable();
        t.unique(['execution_id', 'sequence']);
      }),
    );
    this.addStatements(
      knex.schema.createTable('templates', (t) => {
        t.string('id', 36).primary();
        t.string('author_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('name', 200).notNullable();
        t.text('description').notNullable();
        t.json('tags').notNullable();
        t.json('parameters').notNullable();
        t.json('definition').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.index(['author_id', 'created_at']);
      }),
    );
    // Where this deployment's API servers are in a durable event bus (e.g. a Redis stream position).
    this.addStatements(
      knex.schema.createTable('bus_positions', (t) => {
        t.string('name', 100).primary();
        t.string('position', 100).notNullable();
        t.timestamp('updated_at', { useTz: true }).notNullable();
      }),
    );
  }
}
