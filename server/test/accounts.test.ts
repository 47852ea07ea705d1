import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { passwordProblem, PASSWORD_MAX_LENGTH } from '../src/auth/password-policy.js';
import { hashToken } from '../src/auth/tokens.js';
import { redactDatabaseError } from '../src/db/redact.js';
import { createLogger } from '@tandem/worker';
import { AUTH_CACHE_MS } from '../src/services/accounts.js';
import { DATABASES, startApi, type Api, type GraphqlResponse } from './api-harness.js';

const SIGN_UP =
  'mutation($email: String!, $password: String!, $name: String!) { signUp(email: $email, password: $password, name: $name) { token user { id } } }';

/** The structured log lines of the servers these tests start (info and up). */
const logLines: string[] = [];
const logger = createLogger({ name: 'api', level: 'info', destination: { write: (line: string) => void logLines.push(line) } });

/**
 * Everything written to the console, stdout, stderr and the server's log while `run` runs, and until `logged`
 * holds when it is given (the line a test expects, after which it checks what is absent).
 * Errors are logged as the response is formatted, so a response is itself the sign that its
 * error lines are written.
 */
async function captureOutput<T>(run: () => Promise<T>, logged?: (output: string) => boolean): Promise<{ result: T; output: string }> {
  const lines: string[] = [];
  const fromLog = logLines.length;
  const text = () => [...lines, ...logLines.slice(fromLog)].join('\n');
  const spies = (['log', 'error', 'warn', 'info', 'debug', 'trace'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(format(...args))),
  );
  const writes = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }),
  );
  try {
    const result = await run();
    if (logged) await eventually(() => logged(text()), { timeoutMs: 5_000, what: 'the expected log line' });
    return { result, output: text() };
  } finally {
    for (const spy of [...spies, ...writes]) spy.mockRestore();
  }
}

describe('password policy', () => {
  const account = { email: 'ada.lovelace@example.com', name: 'Ada Lovelace' };

  it.each([
    ['short', 'TOO_SHORT'],
    ['x'.repeat(PASSWORD_MAX_LENGTH + 1), 'TOO_LONG'],
    ['password', 'COMMON'],
    ['Password', 'COMMON'],
    ['12345678', 'COMMON'],
    ['iloveyou', 'COMMON'],
    ['sunshine', 'COMMON'],
    ['qwertyuiop', 'COMMON'],
    ['baseball', 'COMMON'],
    ['zzzzzzzzzzzz', 'REPETITIVE'],
    ['ada.lovelace@example.com', 'ACCOUNT_DETAILS'],
    ['ADA.LOVELACE@EXAMPLE.COM', 'ACCOUNT_DETAILS'],
    ['ada.lovelace', 'ACCOUNT_DETAILS'],
    ['Ada Lovelace', 'ACCOUNT_DETAILS'],
    ['adalovelace', 'ACCOUNT_DETAILS'],
  ])('refuses %j (%s)', (password, reason) => {
    expect(passwordProblem(password, account)?.reason).toBe(reason);
  });

  it.each(['correct horse battery', 'correct horse battery staple', 'another password', 'Tr0ub4dor&3x', 'x'.repeat(PASSWORD_MAX_LENGTH - 1) + 'y'])(
    'accepts %j',
    (password) => {
      expect(passwordProblem(password, account)).toBeNull();
    },
  );

  it('counts characters, not UTF-16 units', () => {
    expect(passwordProblem('🔑🔑🔑🔑🔑🔑🔑', account)?.reason).toBe('TOO_SHORT'); // 7 characters, 14 units
    expect(passwordProblem('🔑🔒🔑🔒🔑🔒🔑🔒', account)).toBeNull();
  });
});

describe('database errors', () => {
  it('keep the code and schema names and lose the statement and its values', () => {
    const pg = Object.assign(
      new Error(
        `insert into "users" ("email", "password_hash") values ('eve@example.com', 'scrypt$1$2') - duplicate key value violates unique constraint "users_email_unique"`,
      ),
      {
        code: '23505',
        severity: 'ERROR',
        detail: 'Key (email)=(eve@example.com) already exists.',
        constraint: 'users_email_unique',
        table: 'users',
        routine: '_bt_check_unique',
      },
    );
    redactDatabaseError(pg);
    expect(pg.message).toBe('23505 unique_violation (constraint users_email_unique, table users)');
    expect(format(pg)).not.toMatch(/eve@example\.com|scrypt\$/);

    const sqlite = Object.assign(new Error(`insert into \`users\` (\`email\`) values ('eve@example.com') - UNIQUE constraint failed: users.email`), {
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
    redactDatabaseError(sqlite);
    expect(sqlite.message).toBe('UNIQUE constraint failed: users.email');

    const quoted = Object.assign(new Error(`select 1 - near "'eve@example.com'": syntax error`), { code: 'SQLITE_ERROR' });
    expect(redactDatabaseError(quoted).message).toBe('syntax error');
    const custom = Object.assign(new Error(`insert … - refused eve@example.com`), { code: 'SQLITE_CONSTRAINT_TRIGGER' });
    expect(redactDatabaseError(custom).message).toBe('database error SQLITE_CONSTRAINT_TRIGGER');
    const down = Object.assign(new Error('select 1 - connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(redactDatabaseError(down).message).toBe('connect ECONNREFUSED 127.0.0.1:5432');
  });
});

describe.each(DATABASES)('sign-up on %s', (database) => {
  let api: Api;

  beforeAll(async () => {
    api = await startApi({ database, worker: false, logger });
  });

  afterAll(async () => {
    await api?.close();
  });

  const signUp = (email: string, password: string, name = 'Eve') => api.gql<{ signUp: { token: string } }>(SIGN_UP, { email, password, name });
  const badInput = (response: GraphqlResponse) => {
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    return { message: response.errors![0]!.message, field: response.errors![0]!.extensions!.field, reason: response.errors![0]!.extensions!.reason };
  };

  it('names what is wrong with an email, without echoing it', async () => {
    const hostile = '<script>alert(1)</script>';
    for (const [email, reason] of [
      ['', 'REQUIRED'],
      ['   ', 'REQUIRED'],
      ['not-an-email', 'FORMAT'],
      [hostile, 'FORMAT'],
      ['eve@example', 'FORMAT'],
      [`${'e'.repeat(320)}@example.com`, 'TOO_LONG'],
    ] as const) {
      const error = badInput(await signUp(email, 'correct horse battery'));
      expect(error.field).toBe('email');
      expect(error.reason).toBe(reason);
      expect(error.message).toContain('email');
      expect(error.message).not.toContain('""');
      if (reason === 'FORMAT') expect(error.message).toBe('email must look like name@example.com');
      expect(error.message).not.toContain('<script>');
    }
  });

  it('refuses common passwords and the account details as a password, naming the field and the reason', async () => {
    const email = `eve-${randomUUID()}@example.com`;
    for (const [password, reason] of [
      ['short', 'TOO_SHORT'],
      ['password1', 'COMMON'],
      ['Password1', 'COMMON'],
      ['qwertyuiop', 'COMMON'],
      ['aaaaaaaaaaaa', 'REPETITIVE'],
      [email, 'ACCOUNT_DETAILS'],
      [email.split('@')[0]!, 'ACCOUNT_DETAILS'],
      ['x'.repeat(300), 'TOO_LONG'],
    ] as const) {
      const error = badInput(await signUp(email, password));
      expect(error).toMatchObject({ field: 'password', reason });
      expect(error.message).toMatch(/^password /);
      expect(error.message).not.toContain(password);
    }
    expect((await signUp(email, 'correct horse battery')).data?.signUp.token).toMatch(/^tdm_s_/);
  });

  it('refuses control characters in an email or a name (a NUL byte would fail the insert on PostgreSQL)', async () => {
    // BAD_USER_INPUT here, or earlier from the GraphQL layer; never INTERNAL.
    const name = await signUp(`eve-${randomUUID()}@example.com`, 'correct horse battery', 'Eve\u0000');
    expect(name.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const email = await signUp('eve\u0000@example.com', 'correct horse battery');
    expect(email.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const signIn = await api.gql('mutation($email: String!) { signIn(email: $email, password: "correct horse battery") { token } }', {
      email: 'eve\u0000@example.com',
    });
    expect(['UNAUTHENTICATED', 'BAD_USER_INPUT']).toContain(signIn.errors?.[0]?.extensions?.code);
  });

  it('logs neither the email nor the password hash when a second sign-up with the same email fails', async () => {
    const email = `dup-${randomUUID()}@example.com`;
    const password = `dup password ${randomUUID()}`;
    const { result, output } = await captureOutput(async () => [await signUp(email, password), await signUp(email, password)] as const);
    expect(result[0].data?.signUp.token).toMatch(/^tdm_s_/);
    expect(result[1].errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const [row] = await api.server.db.em
      .fork()
      .getConnection()
      .execute<Array<{ password_hash: string }>>('select password_hash from users where email = ?', [email]);
    expect(row!.password_hash).toMatch(/^scrypt\$/);
    expect(output).not.toContain(email);
    expect(output).not.toContain(row!.password_hash);
    expect(output).not.toContain(password);
    expect(output).not.toContain('scrypt$');
  });

  it('logs an unexpected insert failure with its code and without the values', async () => {
    // Make the database refuse this one user, the way a broken disk or schema might.
    const connection = api.server.db.em.fork().getConnection();
    if (database === 'sqlite') {
      await connection.execute(
        `create trigger refuse_mallory before insert on users when new.name = 'Mallory' begin select raise(abort, 'refused by the test'); end`,
      );
    } else {
      await connection.execute(`alter table users add constraint refuse_mallory check (name <> 'Mallory')`);
    }
    const email = `mallory-${randomUUID()}@example.com`;
    const password = `mallory password ${randomUUID()}`;
    const { result, output } = await captureOutput(
      () => signUp(email, password, 'Mallory'),
      (text) => text.includes('internal error'),
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('INTERNAL');
    expect(output).toContain('internal error');
    expect(output).toContain(database === 'sqlite' ? 'SQLITE_CONSTRAINT_TRIGGER' : '23514 check_violation (constraint refuse_mallory, table users)');
    expect(output).not.toContain(email);
    expect(output).not.toContain(password);
    expect(output).not.toContain('scrypt$');
    expect(output).not.toContain('insert into');
  });
});

describe('sessions and tokens remembered by a server', () => {
  let api: Api;

  beforeAll(async () => {
    api = await startApi({ database: 'sqlite', worker: false });
  });

  afterAll(async () => {
    vi.useRealTimers();
    await api?.close();
  });

  const me = async (token: string) => {
    const response = await api.gql<{ me: { email: string } }>('{ me { email } }', {}, token);
    return response.data?.me?.email ?? response.errors?.[0]?.extensions?.code;
  };

  it('a session used a moment ago stops working at once when it signs out', async () => {
    const email = `sam-${randomUUID()}@example.com`;
    const token = (await api.gql<{ signUp: { token: string } }>(SIGN_UP, { email, password: `sam password ${randomUUID()}`, name: 'Sam' })).data!.signUp.token;
    expect(await me(token)).toBe(email);
    await api.gql('mutation { signOut }', {}, token);
    expect(await me(token)).toBe('UNAUTHENTICATED');
  });

  it(`a token revoked by another server stops working here within ${AUTH_CACHE_MS} ms`, async () => {
    const email = `rex-${randomUUID()}@example.com`;
    const token = (await api.gql<{ signUp: { token: string } }>(SIGN_UP, { email, password: `rex password ${randomUUID()}`, name: 'Rex' })).data!.signUp.token;
    expect(await me(token)).toBe(email);
    // Another API server revokes it: only the database knows.
    await api.server.db.em
      .fork()
      .getConnection()
      .execute('update access_tokens set revoked_at = ? where token_hash = ?', [Date.now(), hashToken(token)]);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + AUTH_CACHE_MS + 1);
    expect(await me(token)).toBe('UNAUTHENTICATED');
    vi.useRealTimers();
  });
});
