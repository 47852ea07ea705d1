// Makes JSONata 1.8's parser build its symbol table once instead of at every parse.
//
// `jsonata(source)` defines the ~60 operator symbols of its Pratt parser (objects and closures)
// on every call: for a short expression that is most of the parse, and half of it is garbage
// collection. Checking a 1,000-node workflow parses about 1,000 expressions, so the table is
// built 1,000 times. This turns `parser` into a closure made once whose per-parse state
// (source, lexer, current token, errors, ancestry labels) is reset at each call. Parsing is
// synchronous and never re-enters itself, so one set of state is enough. The parse trees are
// unchanged: ops/test/patch-jsonata.test.ts compares them, and every error, with the unpatched
// parser's over a corpus of valid and broken expressions parsed one after another.
//
// Runs after every `npm ci` / `npm install` (root `postinstall`). It is idempotent, and it refuses
// (leaving the file untouched) a jsonata whose text differs from what it expects: an upgrade
// must revisit the patch, not half-apply it.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MARKER = '/* tandem: parser symbol table built once */';

/** [what the file says, what it says after the patch]; each must occur exactly once. */
export const EDITS = [
  [
    `    var parser = function (source, recover) {
        var node;
        var lexer;
`,
    `    var parser = (function () { ${MARKER}
        var source;
        var recover;
        var node;
        var lexer;
`,
  ],
  [
    `        // now invoke the tokenizer and the parser and return the syntax tree
        lexer = tokenizer(source);
`,
    `        return function (parsedSource, recovering) {
        source = parsedSource;
        recover = recovering;
        node = undefined;
        errors = [];
        ancestorLabel = 0;
        ancestorIndex = 0;
        ancestry = [];
        // now invoke the tokenizer and the parser and return the syntax tree
        lexer = tokenizer(source);
`,
  ],
  [
    `        return expr;
    };

    return parser;
})();
`,
    `        return expr;
        };
    })();

    return parser;
})();
`,
  ],
];

/** The file's text with the patch applied; null when the text is not the one the patch was written for. */
export function patchText(text) {
  if (text.includes(MARKER)) return text;
  return replaceEach(text, EDITS);
}

/** The file's text as jsonata shipped it (the test's reference parser). */
export function unpatchText(text) {
  if (!text.includes(MARKER)) return text;
  return replaceEach(
    text,
    EDITS.map(([before, after]) => [after, before]),
  );
}

function replaceEach(text, edits) {
  let result = text;
  for (const [from, to] of edits) {
    const at = result.indexOf(from);
    if (at < 0 || result.indexOf(from, at + 1) >= 0) return null;
    result = result.slice(0, at) + to + result.slice(at + from.length);
  }
  return result;
}

/** Where the jsonata that @tandem/schema loads is installed. */
export function jsonataFile() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return createRequire(join(root, 'schema', 'package.json')).resolve('jsonata');
}

function main() {
  let file;
  try {
    file = jsonataFile();
  } catch {
    console.log('patch-jsonata: jsonata is not installed here; nothing to patch');
    return;
  }
  const text = readFileSync(file, 'utf8');
  if (text.includes(MARKER)) {
    console.log('patch-jsonata: jsonata is patched already');
    return;
  }
  const patched = patchText(text);
  if (patched === null) {
    console.error(`patch-jsonata: ${file} is not the jsonata 1.8.9 text this patch was written for; left unpatched`);
    process.exitCode = process.env.CI ? 1 : 0;
    return;
  }
  writeFileSync(file, patched);
  console.log(`patch-jsonata: the parser builds its symbol table once (${file})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
