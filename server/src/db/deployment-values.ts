import { knexOf, type Database } from './orm.js';

/**
 * A value every API server and worker of one deployment must agree on (the key that signs
 * collaboration tickets, the installation's id and task queue): the first process to ask
 * creates it, every later one reads the same. Kept in the `server_secrets` table.
 */
export async function deploymentValue(db: Database, name: string, create: () => string | Promise<string>): Promise<string> {
  const knex = knexOf(db);
  const known = await knex('server_secrets').where({ name }).first('value');
  if (known) return String(known.value);
  await knex('server_secrets')
    .insert({ name, value: await create(), created_at: new Date() })
    .onConflict('name')
    .ignore();
  const row = await knex('server_secrets').where({ name }).first('value');
  return String(row.value);
}
