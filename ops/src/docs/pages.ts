// The documentation's pages, read from the docs/ folder tree: the site's sidebar and the
// link check both list pages from here, so a page added under docs/ appears in both.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface DocPage {
  /** Path under docs/, with forward slashes: `user-guide/loops.md`. */
  file: string;
  /** The page's first `# ` heading, else its file name. */
  title: string;
}

/** Folders under docs/ that are not pages: the generator's own (config, cache, build). */
const NOT_PAGES = new Set(['.vitepress', 'node_modules', 'images']);

/** Every markdown page under `docsDir`, sorted by path. */
export function listDocPages(docsDir: string): DocPage[] {
  const pages: DocPage[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (!NOT_PAGES.has(name) && !name.startsWith('.')) walk(path);
      } else if (name.endsWith('.md')) {
        pages.push({ file: relative(docsDir, path).split(sep).join('/'), title: pageTitle(readFileSync(path, 'utf8'), name) });
      }
    }
  };
  walk(docsDir);
  return pages;
}

function pageTitle(markdown: string, fileName: string): string {
  const heading = /^#\s+(.+?)\s*#*\s*$/m.exec(stripFencedCode(markdown));
  return heading ? heading[1]!.replace(/`/g, '') : fileName.replace(/\.md$/, '');
}

/** Markdown with fenced code blocks blanked out (kept as empty lines, so line numbers hold). */
export function stripFencedCode(markdown: string): string {
  let fence: string | null = null;
  return markdown
    .split('\n')
    .map((line) => {
      const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence === null && marker) {
        fence = marker;
        return '';
      }
      if (fence !== null) {
        if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
        return '';
      }
      return line;
    })
    .join('\n');
}

/**
 * A heading's anchor as GitHub makes it (github-slugger): lower case, punctuation and symbols
 * dropped, spaces to hyphens. The site uses the same, so a link such as
 * `engine.md#5-httprequest` works on GitHub and on the site alike.
 */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

export interface SidebarItem {
  text: string;
  link?: string;
  items?: SidebarItem[];
  collapsed?: boolean;
}

/** Top-level pages in reading order; pages not named here follow, by file name. */
const TOP_LEVEL_ORDER = [
  'index.md',
  'api.md',
  'workflow-format.md',
  'engine.md',
  'collaboration.md',
  'performance.md',
  'development.md',
  'troubleshooting.md',
  'faq.md',
];
/** Folders in reading order, with their titles; folders not named here follow, titled from their name. */
const FOLDERS: Record<string, string> = { 'user-guide': 'User guide', operations: 'Operations', security: 'Security' };

/** The sidebar: the top-level pages, then one group per folder (nested folders nest). */
export function docsSidebar(pages: DocPage[]): SidebarItem[] {
  const top = pages.filter((page) => !page.file.includes('/'));
  const rank = (file: string) => (TOP_LEVEL_ORDER.includes(file) ? TOP_LEVEL_ORDER.indexOf(file) : TOP_LEVEL_ORDER.length);
  top.sort((a, b) => rank(a.file) - rank(b.file) || a.file.localeCompare(b.file));
  const folders = [...new Set(pages.filter((page) => page.file.includes('/')).map((page) => page.file.split('/')[0]!))];
  const known = Object.keys(FOLDERS);
  folders.sort((a, b) => (known.includes(a) ? known.indexOf(a) : known.length) - (known.includes(b) ? known.indexOf(b) : known.length) || a.localeCompare(b));
  return [{ text: 'Tandem', items: top.map(linkTo) }, ...folders.map((folder) => folderGroup(folder, FOLDERS[folder] ?? titleOfFolder(folder), pages))];
}

function folderGroup(folder: string, text: string, pages: DocPage[]): SidebarItem {
  const inside = pages.filter((page) => page.file.startsWith(`${folder}/`));
  const direct = inside.filter((page) => !page.file.slice(folder.length + 1).includes('/'));
  // The folder's index.md (if any) leads its group.
  direct.sort((a, b) => Number(b.file.endsWith('/index.md')) - Number(a.file.endsWith('/index.md')) || a.title.localeCompare(b.title));
  const subfolders = [
    ...new Set(
      inside
        .filter((page) => !direct.includes(page))
        .map((page) =>
          page.file
            .split('/')
            .slice(0, folder.split('/').length + 1)
            .join('/'),
        ),
    ),
  ];
  return {
    text,
    collapsed: false,
    items: [...direct.map(linkTo), ...subfolders.sort().map((sub) => folderGroup(sub, titleOfFolder(sub.split('/').pop()!), pages))],
  };
}

function linkTo(page: DocPage): SidebarItem {
  return { text: page.title, link: `/${page.file.replace(/(^|\/)index\.md$/, '$1').replace(/\.md$/, '')}` };
}

function titleOfFolder(name: string): string {
  const words = name.replace(/[-_]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
