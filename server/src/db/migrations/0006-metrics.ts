import { KnexMigration } from './knex-migration.js';

/** Run and step figures in time buckets, and how far each execution's events have been counted into them. */
export class Migration0006Metrics extends KnexMigration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    this.addStatements(
      knex.schema.createTable('metric_buckets', (t) => {
        t.bigIncrements('id').primary();
        t.string('workflow_id', 36).notNullable();
        t.integer('version_number').notNullable();
        // '' for the run as a whole; otherwise the node the figures are about.
        t.string('node_id', 100).notNullable();
        t.string('node_type', 32).notNullable();
        // Bucket width in seconds (60, rolled up into 3600 after a day) and its start in epoch milliseconds.
        t.integer('resolution').notNullable();
        t.bigInteger('bucket_start').notNullable();
        t.integer('started').notNullable().defaultTo(0);
        t.integer('completed').notNullable().defaultTo(0);
        t.integer('failed').notNullable().defaultTo(0);
        t.integer('cancelled').notNullable().defaultTo(0);
        t.integer('retries').notNullable().defaultTo(0);
        // Duration sketches (sketch.ts) as JSON: run or step duration, and a run's time to its first step.
        t.text('duration').notNullable();
        t.text('first_step').notNullable();
        t.unique(['workflow_id', 'version_number', 'node_id', 'resolution', 'bucket_start']);
        t.index(['workflow_id', 'bucket_start']);
        t.index(['resolution', 'bucket_start']);
      }),
    );
    this.addStatements(
      knex.schema.createTable('metric_progress', (t) => {
        t.string('execution_id', 100).primary();
        // The last event sequence counted: a redelivered or re-read event at or below it counts no more.
        t.integer('sequence').notNullable();
        t.boolean('first_step_counted').notNullable();
        t.bigInteger('updated_at').notNullable();
        t.index(['updated_at']);
      }),
    );
  }
}
