import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COLLAB_CLOSE } from '@tandem/schema/collab';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The string members of `type Name = 'A' | 'B' …` in a source file. */
function unionMembers(file: string, typeName: string): string[] {
  const declaration = new RegExp(`type ${typeName}\\s*=([^;]+);`).exec(read(file));
  if (!declaration) throw new Error(`no type ${typeName} in ${file}`);
  return [...declaration[1]!.matchAll(/'([^']+)'/g)].map((match) => match[1]!);
}

/** The string members of `const NAME = new Set([...])` in a source file. */
function setMembers(file: string, constName: string): string[] {
  const declaration = new RegExp(`const ${constName} = new Set\\(\\[([^\\]]+)\\]`).exec(read(file));
  if (!declaration) throw new Error(`no set ${constName} in ${file}`);
  return [...declaration[1]!.matchAll(/'([^']+)'/g)].map((match) => match[1]!);
}

/**
 * Every code a client can meet, read from the code that sends it: the API's codes, the codes of
 * the other HTTP routes, Apollo's codes passed through, every `extensions.reason`, workflow
 * problem codes and the collaboration socket's close codes.
 */
function errorCodesInTheCode(): string[] {
  const server = sourceFiles('server/src').map(read).join('\n');
  const reasons = [
    // `reason: 'X'` in an error's extensions, and refusal(message, 'X', …) of the GraphQL guard.
    ...[...server.matchAll(/\breason: '([A-Z][A-Z_]+)'/g)].map((match) => match[1]!),
    ...[...server.matchAll(/\brefusal\(\s*(?:'[^']*'|`[^`]*`)\s*,\s*'([A-Z][A-Z_]+)'/g)].map((match) => match[1]!),
  ];
  return [
    ...unionMembers('server/src/errors.ts', 'ErrorCode'),
    ...unionMembers('server/src/http/http-errors.ts', 'HttpErrorCode'),
    ...setMembers('server/src/graphql/errors.ts', 'PASSED_THROUGH'),
    ...setMembers('server/src/graphql/errors.ts', 'CLIENT_MISTAKES'),
    ...unionMembers('server/src/auth/password-policy.ts', 'PasswordReason'),
    ...unionMembers('schema/src/problems.ts', 'ProblemCode'),
    ...reasons,
    ...Object.values(COLLAB_CLOSE).map(String),
  ];
}

describe('docs/troubleshooting.md', () => {
  const codes = [...new Set(errorCodesInTheCode())].sort();
  const page = read('docs/troubleshooting.md');

  it('reads the codes from the code (so a new code is seen)', () => {
    // One of each kind, so a broken extraction cannot pass as "nothing to document".
    expect(codes).toEqual(
      expect.arrayContaining([
        'UNAUTHENTICATED',
        'UNPROCESSABLE',
        'PERSISTED_QUERY_NOT_FOUND',
        'QUERY_TOO_COMPLEX',
        'NUL_CHARACTER',
        'COMMON',
        'dangling_edge',
        '4413',
      ]),
    );
    expect(codes.length).toBeGreaterThan(60);
  });

  it('documents every error code, reason, problem code and close code, in a table row of its own', () => {
    // A code counts as documented where a table row starts with it (`CODE` or a list of codes).
    const documented = new Set(
      page
        .split('\n')
        .filter((line) => line.startsWith('| '))
        .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([^`]+)`|\b(\d{4})\b/g)].map((match) => match[1] ?? match[2]!)),
    );
    expect(codes.filter((code) => !documented.has(code))).toEqual([]);
  });
});
