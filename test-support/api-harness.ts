// The API server harness (a real server and worker on the suite's Temporal, SQLite or
// PostgreSQL) for tests outside server/, e.g. ops' backup and restore tests.
export * from '../server/test/api-harness.js';
