// Internal links of the documentation: every relative link must reach a file, and every
// `#anchor` a heading of the page it names. Anchors come from the caller (the site
// generator's own renderer), so the check uses exactly the slugs the site has.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { listDocPages, stripFencedCode } from './pages.js';

export interface DocLink {
  /** The page the link is on, under docs/. */
  file: string;
  line: number;
  target: string;
}

export interface BrokenLink extends DocLink {
  problem: string;
}

/** The anchors (heading ids) a markdown page has, as the site renders them. */
export type AnchorsOf = (markdown: string, file: string) => Promise<ReadonlySet<string>>;

/** `[text](target)`, `![alt](target "title")` and `[label]: target`, outside code. */
export function linksIn(markdown: string, file: string): DocLink[] {
  const links: DocLink[] = [];
  stripFencedCode(markdown)
    .split('\n')
    .forEach((text, index) => {
      const line = text.replace(/(`+)[^`]*?\1/g, ''); // inline code is not a link
      for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ file, line: index + 1, target: match[1]! });
      const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/.exec(line);
      if (definition) links.push({ file, line: index + 1, target: definition[1]! });
    });
  return links;
}

/** Every broken internal link of the pages under `docsDir` (links outside docs/ are checked in the repository). */
export async function findBrokenLinks(docsDir: string, anchorsOf: AnchorsOf): Promise<BrokenLink[]> {
  const anchorCache = new Map<string, Promise<ReadonlySet<string>>>();
  const anchorsOfFile = (path: string) => {
    let anchors = anchorCache.get(path);
    if (!anchors) {
      anchors = anchorsOf(readFileSync(path, 'utf8'), path);
      anchorCache.set(path, anchors);
    }
    return anchors;
  };
  const broken: BrokenLink[] = [];
  for (const page of listDocPages(docsDir)) {
    const pagePath = join(docsDir, page.file);
    for (const link of linksIn(readFileSync(pagePath, 'utf8'), page.file)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link.target) || link.target.startsWith('//')) continue; // http:, mailto:…
      const [pathPart = '', anchor] = splitAnchor(link.target);
      let target: string | null = pagePath;
      if (pathPart !== '') {
        const decoded = safeDecode(pathPart);
        target = findTarget(pathPart.startsWith('/') ? join(docsDir, decoded) : resolve(dirname(pagePath), decoded));
        if (!target) {
          broken.push({ ...link, problem: `no file ${relative(docsDir, resolve(dirname(pagePath), decoded))}` });
          continue;
        }
      }
      if (anchor === undefined || anchor === '') continue;
      if (!target.endsWith('.md')) {
        broken.push({ ...link, problem: `#${anchor} points into ${relative(docsDir, target)}, which has no headings` });
        continue;
      }
      if (!(await anchorsOfFile(target)).has(safeDecode(anchor))) broken.push({ ...link, problem: `no heading #${anchor} in ${relative(docsDir, target)}` });
    }
  }
  return broken;
}

function splitAnchor(target: string): [string, string | undefined] {
  const hash = target.indexOf('#');
  return hash === -1 ? [target, undefined] : [target.slice(0, hash), target.slice(hash + 1)];
}

/** The file a link reaches: as written, or (as the site resolves it) with `.md`, or a folder's index.md. */
function findTarget(path: string): string | null {
  const candidates = [path, `${path}.md`, join(path, 'index.md')];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile()) ?? null;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
