/* global CSS, document, getComputedStyle, Node */
// Runs inside the page (Firefox over WebDriver BiDi): finds the elements a locator's steps
// describe, with the meaning Playwright gives them (getByRole, getByLabel, getByText…), so one
// copy of each e2e test runs in both browsers. Read as text by bidi-page.ts; plain JS on purpose
// (it is serialised into the page, and the tests' TypeScript has no DOM types).
// Roles and names follow WAI-ARIA's implicit roles and a simplified accessible-name computation:
// what Tandem's markup uses, not every corner of the specification.
// eslint-disable-next-line @typescript-eslint/no-unused-expressions -- the file is one function expression, read as text
(steps) => {
  const normalise = (text) => (text ?? '').replace(/\s+/g, ' ').trim();
  const matches = (value, match, exact) => {
    const text = normalise(value);
    if (match.regex) return new RegExp(match.regex, match.flags).test(text);
    return exact ? text === normalise(match.text) : text.toLowerCase().includes(normalise(match.text).toLowerCase());
  };
  const tag = (el) => el.localName;

  const hiddenForAccessibility = (el) => {
    for (let at = el; at; at = at.parentElement) if (at.getAttribute('aria-hidden') === 'true') return true;
    return typeof el.checkVisibility === 'function' ? !el.checkVisibility({ visibilityProperty: true }) : false;
  };

  const implicitRole = (el) => {
    const type = (el.getAttribute('type') ?? 'text').toLowerCase();
    switch (tag(el)) {
      case 'button':
        return 'button';
      case 'a':
        return el.hasAttribute('href') ? 'link' : null;
      case 'h1':
      case 'h2':
      case 'h3':
      case 'h4':
      case 'h5':
      case 'h6':
        return 'heading';
      case 'input':
        if (['button', 'submit', 'reset', 'image'].includes(type)) return 'button';
        if (type === 'checkbox') return 'checkbox';
        if (type === 'radio') return 'radio';
        if (type === 'number') return 'spinbutton';
        if (type === 'range') return 'slider';
        if (type === 'file' || type === 'hidden') return null;
        return el.hasAttribute('list') ? 'combobox' : type === 'search' ? 'searchbox' : 'textbox';
      case 'textarea':
        return 'textbox';
      case 'select':
        return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
      case 'option':
        return 'option';
      case 'dialog':
        return 'dialog';
      case 'section':
        return el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') ? 'region' : null;
      case 'aside':
        return 'complementary';
      case 'nav':
        return 'navigation';
      case 'main':
        return 'main';
      case 'header':
        return el.closest('article, aside, main, nav, section') ? null : 'banner';
      case 'footer':
        return el.closest('article, aside, main, nav, section') ? null : 'contentinfo';
      case 'form':
        return 'form';
      case 'fieldset':
      case 'details':
        return 'group';
      case 'ul':
      case 'ol':
        return 'list';
      case 'li':
        return 'listitem';
      case 'table':
        return 'table';
      case 'tr':
        return 'row';
      case 'td':
        return 'cell';
      case 'th':
        return el.closest('thead') || el.getAttribute('scope') === 'col' ? 'columnheader' : 'rowheader';
      case 'output':
        return 'status';
      case 'progress':
        return 'progressbar';
      case 'img':
        return el.getAttribute('alt') === '' ? 'presentation' : 'img';
      case 'article':
        return 'article';
      default:
        return null;
    }
  };
  const roleOf = (el) => (el.getAttribute('role') ?? '').trim().split(/\s+/)[0] || implicitRole(el);

  const NAME_FROM_CONTENT = new Set([
    'button',
    'link',
    'heading',
    'cell',
    'columnheader',
    'rowheader',
    'option',
    'tab',
    'checkbox',
    'radio',
    'menuitem',
    'listitem',
    'row',
    'status',
    'switch',
    'treeitem',
    'tooltip',
  ]);
  // `controls`: whether form controls count with their values (not in the label that wraps them).
  const textOf = (node, controls = true) => {
    if (node.nodeType === Node.TEXT_NODE) return node.data;
    if (node.nodeType !== Node.ELEMENT_NODE) return '';
    if (!controls && ['input', 'textarea', 'select', 'button'].includes(tag(node))) return '';
    if (node.getAttribute('aria-hidden') === 'true' || ['script', 'style', 'template'].includes(tag(node))) return '';
    if (typeof node.checkVisibility === 'function' && !node.checkVisibility() && tag(node) !== 'option') return '';
    const label = node.getAttribute('aria-label');
    if (label) return ` ${label} `;
    if (tag(node) === 'img') return ` ${node.getAttribute('alt') ?? ''} `;
    if (tag(node) === 'input' && ['button', 'submit', 'reset'].includes(node.type)) return ` ${node.value} `;
    if (['input', 'textarea'].includes(tag(node))) return ` ${node.value} `;
    if (tag(node) === 'select') return ` ${node.selectedOptions[0]?.textContent ?? ''} `;
    const inner = [...node.childNodes].map((child) => textOf(child, controls)).join('');
    return getComputedStyle(node).display.startsWith('inline') ? inner : ` ${inner} `;
  };
  const byIds = (el, attribute) =>
    (el.getAttribute(attribute) ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id))
      .filter(Boolean);
  const labelsOf = (el) => [...(el.labels ?? [])];
  const accessibleName = (el) => {
    const labelledBy = byIds(el, 'aria-labelledby');
    if (labelledBy.length) return normalise(labelledBy.map((node) => textOf(node)).join(' '));
    const label = el.getAttribute('aria-label');
    if (label && label.trim()) return normalise(label);
    const labels = labelsOf(el);
    if (labels.length) return normalise(labels.map((label) => textOf(label, false)).join(' '));
    if (tag(el) === 'input' && ['button', 'submit', 'reset'].includes(el.type)) return normalise(el.value);
    if (tag(el) === 'fieldset') {
      const legend = el.querySelector(':scope > legend');
      if (legend) return normalise(textOf(legend));
    }
    if (tag(el) === 'table') {
      const caption = el.querySelector(':scope > caption');
      if (caption) return normalise(textOf(caption));
    }
    if (tag(el) === 'img') return normalise(el.getAttribute('alt'));
    if (NAME_FROM_CONTENT.has(roleOf(el))) {
      const content = normalise([...el.childNodes].map((node) => textOf(node)).join(''));
      if (content) return content;
    }
    return normalise(el.getAttribute('title') ?? el.getAttribute('placeholder') ?? '');
  };

  const labelTexts = (el) => {
    const texts = labelsOf(el).map((label) => textOf(label, false));
    const labelledBy = byIds(el, 'aria-labelledby');
    if (labelledBy.length) texts.push(labelledBy.map((node) => textOf(node)).join(' '));
    if (el.getAttribute('aria-label')) texts.push(el.getAttribute('aria-label'));
    return texts;
  };

  const descendants = (root) => [...root.querySelectorAll('*')];
  const elementText = (el) => (['script', 'style', 'head', 'template'].includes(tag(el)) ? '' : el.textContent);
  const step = (roots, s) => {
    const found = [];
    const add = (el) => {
      if (!found.includes(el)) found.push(el);
    };
    for (const root of roots) {
      switch (s.kind) {
        case 'css':
          // Playwright reads '..' as XPath: the parent element.
          if (s.selector === '..') {
            if (root.parentElement) add(root.parentElement);
          } else root.querySelectorAll(s.selector).forEach(add);
          break;
        case 'testid':
          root.querySelectorAll(`[data-testid="${CSS.escape(s.id)}"]`).forEach(add);
          break;
        case 'role':
          for (const el of descendants(root)) {
            if (roleOf(el) !== s.role || hiddenForAccessibility(el)) continue;
            if (s.name && !matches(accessibleName(el), s.name, s.exact)) continue;
            add(el);
          }
          break;
        case 'label':
          for (const el of descendants(root)) if (labelTexts(el).some((text) => matches(text, s.text, s.exact))) add(el);
          break;
        case 'text':
          // The innermost elements whose text matches (an input of type button by its value); as
          // Playwright's text engine, the scope's own element counts too.
          for (const el of root === document.documentElement ? descendants(root) : [root, ...descendants(root)]) {
            const own = tag(el) === 'input' && ['button', 'submit'].includes(el.type) ? el.value : elementText(el);
            if (!matches(own, s.text, s.exact)) continue;
            if ([...el.children].some((child) => matches(elementText(child), s.text, s.exact))) continue;
            add(el);
          }
          break;
        case 'hasText':
          if (matches(elementText(root), s.text, false)) add(root);
          break;
        case 'nth': {
          const all = roots;
          const at = s.index < 0 ? all.length + s.index : s.index;
          return all[at] ? [all[at]] : [];
        }
        default:
          throw new Error(`unknown locator step ${s.kind}`);
      }
    }
    return found;
  };
  return steps.reduce((roots, s) => step(roots, s), [document.documentElement]);
};
