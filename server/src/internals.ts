// Parts of the API server for in-process measurements (`npm run bench:api` compares the
// server over HTTP with its own schema and services executed directly). Not a stable API:
// everything else crosses into the server only through `@tandem/server`.
export { buildApiSchema } from './graphql/schema.js';
export { checkComplexity } from './graphql/limits.js';
export type { ApiContext, Services } from './graphql/context.js';
export type { User } from './db/entities.js';
