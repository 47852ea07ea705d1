import jsonata from 'jsonata';
import { checkExpression } from '@tandem/schema';
import { generatedGraph } from '../src/graphs.js';
const g = generatedGraph(1000);
const exprs: string[] = [];
for (const n of g.doc.nodes) { const c = n.config as Record<string, unknown>; if (typeof c.expression === 'string') exprs.push(c.expression); if (typeof c.bodyExpression === 'string') exprs.push(c.bodyExpression); if (c.variables) exprs.push(...Object.values(c.variables as Record<string,string>)); }
const time = (label: string, fn: () => void) => { for (let i = 0; i < 3; i++) fn(); const t = performance.now(); for (let i = 0; i < 5; i++) fn(); console.log(label, ((performance.now() - t) / 5).toFixed(1), 'ms'); };
time('jsonata parse', () => { for (const e of exprs) jsonata(e); });
time('jsonata parse+ast', () => { for (const e of exprs) jsonata(e).ast(); });
time('checkExpression', () => { for (const e of exprs) checkExpression(e); });
let visited = 0;
for (const e of exprs.slice(0, 20)) { const stack: unknown[] = [jsonata(e).ast()]; let v = 0; while (stack.length && v++ < 100000) { const n = stack.pop(); if (n === null || typeof n !== 'object') continue; for (const x of Object.values(n)) stack.push(x); } visited += v; }
console.log('avg visited per expr (first 20)', visited / 20);
