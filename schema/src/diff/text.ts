/** One run of a text diff: text both sides share, or text only the old or only the new side has. */
export interface TextDiffPart {
  op: 'equal' | 'delete' | 'insert';
  text: string;
}

/** Above this many token pairs the middle of a change is shown as one deletion and one insertion (bounded time and memory). */
const MAX_TABLE = 4_000_000;

/**
 * A word-level diff of two texts (expressions, templates, descriptions): the `equal` and
 * `delete` parts joined give `before`, the `equal` and `insert` parts joined give `after`.
 * Tokens are words, runs of spaces and single other characters, so `input.a + 1` → `input.b + 1`
 * reads as one changed word rather than a changed line.
 */
export function diffText(before: string, after: string): TextDiffPart[] {
  if (before === after) return before === '' ? [] : [{ op: 'equal', text: before }];
  const a = tokenize(before);
  const b = tokenize(after);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const parts: TextDiffPart[] = [];
  push(parts, 'equal', a.slice(0, prefix).join(''));
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  if ((midA.length + 1) * (midB.length + 1) > MAX_TABLE) {
    push(parts, 'delete', midA.join(''));
    push(parts, 'insert', midB.join(''));
  } else {
    for (const part of lcsDiff(midA, midB)) push(parts, part.op, part.text);
  }
  push(parts, 'equal', a.slice(a.length - suffix).join(''));
  return parts;
}

function tokenize(text: string): string[] {
  return text.match(/[A-Za-z0-9_$]+|\s+|[\s\S]/g) ?? [];
}

/** Appends a part, merging it into the previous one of the same kind; empty text is dropped. */
function push(parts: TextDiffPart[], op: TextDiffPart['op'], text: string): void {
  if (text === '') return;
  const last = parts[parts.length - 1];
  if (last?.op === op) last.text += text;
  else parts.push({ op, text });
}

/** Longest-common-subsequence diff of two token lists (deletions before insertions within a change). */
function lcsDiff(a: readonly string[], b: readonly string[]): TextDiffPart[] {
  const n = a.length;
  const m = b.length;
  // lengths[i][j]: LCS length of a[i..] and b[j..], row-major in one array.
  const lengths = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * (m + 1) + j] =
        a[i] === b[j] ? lengths[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lengths[(i + 1) * (m + 1) + j]!, lengths[i * (m + 1) + j + 1]!);
    }
  }
  const parts: TextDiffPart[] = [];
  let i = 0;
  let j = 0;
  let deleted = '';
  let inserted = '';
  const flush = () => {
    push(parts, 'delete', deleted);
    push(parts, 'insert', inserted);
    deleted = '';
    inserted = '';
  };
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      flush();
      push(parts, 'equal', a[i]!);
      i++;
      j++;
    } else if (j >= m || (i < n && lengths[(i + 1) * (m + 1) + j]! >= lengths[i * (m + 1) + j + 1]!)) {
      deleted += a[i]!;
      i++;
    } else {
      inserted += b[j]!;
      j++;
    }
  }
  flush();
  return parts;
}
