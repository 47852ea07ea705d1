import { Migration } from '@mikro-orm/migrations';

/** A migration written with knex's schema builder, so the same code runs on SQLite and PostgreSQL. */
export abstract class KnexMigration extends Migration {
  /** A schema builder may produce several statements (SQLite runs one per call). */
  protected addStatements(builder: { toSQL(): Array<{ sql: string }> | { sql: string } }): void {
    const statements = builder.toSQL();
    for (const statement of Array.isArray(statements) ? statements : [statements]) this.addSql(statement.sql);
  }
}
