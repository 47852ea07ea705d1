export { startTandemServer, type TandemServer, type TandemServerOptions } from './tandem-server.js';
export { readServerConfig, type ServerConfig } from './config.js';
export { printApiSchema } from './graphql/schema.js';
export { securityHeaders, contentSecurityPolicy, type SecurityHeaderOptions } from './http/security-headers.js';
export { loadInstallation, type Installation } from './installation.js';
export { openDatabase, type Database } from './db/orm.js';
