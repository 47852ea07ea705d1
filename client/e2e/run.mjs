// `npm run test:e2e [-- [--browser chromium|firefox|both] [word…]]`: the browser tests alone.
// A word that is part of an e2e file's name selects those files; any other word selects the
// tests whose names contain it. Without --browser, both browsers run (the files Firefox runs:
// FIREFOX_CORE in vitest.config.ts, today all of them), as in `npm test`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PROJECTS = { chromium: ['e2e'], firefox: ['e2e-firefox'], both: ['e2e', 'e2e-firefox'] };
const USAGE = 'usage: npm run test:e2e -- [--browser chromium|firefox|both] [word…]';

const args = process.argv.slice(2);
let browser = 'both';
const words = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--browser') browser = args[++i] ?? '';
  else if (arg.startsWith('--browser=')) browser = arg.slice('--browser='.length);
  else if (arg === '--help' || arg === '-h') {
    console.log(USAGE);
    process.exit(0);
  } else if (arg.startsWith('-')) {
    console.error(`unknown option ${arg}\n${USAGE}`);
    process.exit(2);
  } else words.push(arg);
}
if (!(browser in PROJECTS)) {
  console.error(`--browser must be chromium, firefox or both, not "${browser}"\n${USAGE}`);
  process.exit(2);
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const files = readdirSync(new URL('.', import.meta.url)).filter((name) => name.endsWith('.test.ts'));
const isFileWord = (word) => files.some((name) => name.toLowerCase().includes(word.toLowerCase()));
const fileWords = words.filter(isFileWord);
const testWords = words.filter((word) => !isFileWord(word));
const escape = (word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const vitest = [
  'vitest',
  'run',
  ...PROJECTS[browser].flatMap((project) => ['--project', project]),
  ...fileWords.map((word) => `client/e2e/${word}`),
  ...(testWords.length ? ['-t', testWords.map(escape).join('|')] : []),
];
console.log(`> npx ${vitest.join(' ')}`);
const result = spawnSync('npx', vitest, { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
