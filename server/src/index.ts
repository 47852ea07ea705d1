export { startTandemServer, type TandemServer, type TandemServerOptions } from './tandem-server.js';
export { readServerConfig, type ServerConfig } from './config.js';
export { printApiSchema } from './graphql/schema.js';
