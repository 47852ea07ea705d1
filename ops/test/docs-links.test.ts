import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMarkdownRenderer } from 'vitepress';
import { afterAll, describe, expect, it } from 'vitest';
import { docsSidebar, findBrokenLinks, listDocPages, stripFencedCode, type AnchorsOf, type SidebarItem } from '@tandem/ops';
import siteConfig from '../../docs/.vitepress/config.js';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));

// The heading ids the site has: the generator's own renderer, with the site's markdown options.
const renderer = createMarkdownRenderer(DOCS, siteConfig.markdown, siteConfig.base, { warn: () => {} });
// Code blocks hold no headings; leaving them out skips their (slow) highlighting.
const anchorsOf: AnchorsOf = async (markdown, file) => {
  const html = (await renderer).render(stripFencedCode(markdown), { path: file, relativePath: file, cleanUrls: true });
  return new Set([...html.matchAll(/<h[1-6][^>]*\sid="([^"]+)"/g)].map((match) => match[1]!));
};

const scratch = mkdtempSync(join(tmpdir(), 'tandem-docs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the documentation', () => {
  it('has no broken internal link or anchor', async () => {
    const broken = await findBrokenLinks(DOCS, anchorsOf);
    expect(broken.map((link) => `${link.file}:${link.line} ${link.target}: ${link.problem}`)).toEqual([]);
  });

  it('finds a missing page, a missing anchor and a missing file, and ignores code and external links', async () => {
    mkdirSync(join(scratch, 'guide'));
    writeFileSync(
      join(scratch, 'index.md'),
      [
        '# Home',
        '## Getting started: `npm start` (fast)',
        'See [the guide](guide/a.md#the-first-step), [start](#getting-started-npm-start-fast) and [the site](https://example.com/x.md).',
        'Broken: [gone](guide/missing.md), [no anchor](guide/a.md#nowhere), [own](#nothing-here), ![img](img/none.png).',
        '`[not a link](nowhere.md)`',
        '```md',
        '[inside code](nowhere.md)',
        '```',
        '[ref]: guide/a',
      ].join('\n'),
    );
    writeFileSync(join(scratch, 'guide', 'a.md'), '# A\n\n## The first step\n\nBack [home](../index.md#home).\n');
    const broken = await findBrokenLinks(scratch, anchorsOf);
    expect(broken.map((link) => [link.file, link.line, link.target])).toEqual([
      ['index.md', 4, 'guide/missing.md'],
      ['index.md', 4, 'guide/a.md#nowhere'],
      ['index.md', 4, '#nothing-here'],
      ['index.md', 4, 'img/none.png'],
    ]);
  });

  it('lists every page under docs/ in the sidebar, folders as groups, new folders included', () => {
    const links = (items: SidebarItem[]): string[] => items.flatMap((item) => [...(item.link ? [item.link] : []), ...links(item.items ?? [])]);
    const pages = listDocPages(DOCS);
    expect(pages.map((page) => page.file)).toEqual(
      expect.arrayContaining(['index.md', 'api.md', 'troubleshooting.md', 'user-guide/loops.md', 'security/checklist.md']),
    );
    const sidebar = docsSidebar(pages);
    expect(links(sidebar).sort()).toEqual(pages.map((page) => `/${page.file.replace(/(^|\/)index\.md$/, '$1').replace(/\.md$/, '')}`).sort());
    expect(sidebar.map((group) => group.text)).toEqual(expect.arrayContaining(['User guide', 'Security']));

    // A page in a new folder of its own gets a group.
    const withNewFolder = docsSidebar([...pages, { file: 'playbooks/night-shift.md', title: 'Night shift' }]);
    expect(withNewFolder.find((group) => group.text === 'Playbooks')?.items).toEqual([{ text: 'Night shift', link: '/playbooks/night-shift' }]);
  });
});
