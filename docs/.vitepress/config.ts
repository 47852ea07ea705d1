// The documentation site (`npm run docs`): every page under docs/, served by Tandem at /docs.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';
import { docsSidebar, githubSlug, listDocPages } from '../../ops/src/docs/pages.js';

const docsDir = fileURLToPath(new URL('../', import.meta.url));

export default defineConfig({
  title: 'Tandem',
  description: 'Draw workflows as graphs, co-edit them live, run them durably on Temporal.',
  base: '/docs/',
  cleanUrls: true,
  lastUpdated: false,
  markdown: {
    // Pages are plain markdown: angle brackets in prose (`<id>`) are text, not Vue elements,
    // and `{{ expr }}` (Tandem's templates) is text, not a Vue interpolation.
    html: false,
    // Anchors as GitHub makes them: the same links work when the markdown is read on GitHub.
    anchor: { slugify: githubSlug },
    config: (md) => {
      const render = md.renderer.render.bind(md.renderer);
      md.renderer.render = (tokens, options, env) => `<div v-pre>${render(tokens, options, env)}</div>`;
    },
  },
  // The hash map of pages goes to its own file: the API server's policy allows no inline script
  // beyond the theme's own (hashed, see ops/src/docs/serve.ts).
  metaChunk: true,
  // Links that leave docs/ (the README, the printed schema) exist in the repository, not on
  // the site; the suite's own link check (ops/test/docs-links.test.ts) resolves them there.
  // The user guide's `http://localhost:4000/…` links point at a running Tandem, not the site.
  ignoreDeadLinks: [/^https?:\/\/localhost[:/]/, /^(\.\/)?(\.\.\/)+(README|client\/|schema\/)/],
  themeConfig: {
    search: { provider: 'local' },
    sidebar: docsSidebar(listDocPages(docsDir)),
    outline: { level: [2, 3] },
    nav: [
      { text: 'User guide', link: '/user-guide/web-client' },
      { text: 'API', link: '/api' },
      { text: 'Troubleshooting', link: '/troubleshooting' },
    ],
  },
});
