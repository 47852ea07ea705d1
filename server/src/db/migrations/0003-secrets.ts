import { KnexMigration } from './knex-migration.js';

/** Users' secrets: `value` is AES-256-GCM ciphertext (see secrets/keyring.ts), `key_id` names the key that sealed it. */
export class Migration0003Secrets extends KnexMigration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    this.addStatements(
      knex.schema.createTable('secrets', (t) => {
        t.string('id', 36).primary();
        t.string('owner_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('name', 64).notNullable();
        t.string('key_id', 64).notNullable();
        t.text('value').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.unique(['owner_id', 'name']);
      }),
    );
  }
}
