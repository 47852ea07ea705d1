import { compileWorkflow, validateWorkflow, checkExpression, inspectShape, DOCUMENT_LIMITS } from '@tandem/schema';
import { generatedGraph } from '../src/graphs.js';
const g = generatedGraph(1000);
for (let i = 0; i < 5; i++) compileWorkflow(g.doc);
const time = (label: string, fn: () => void) => { const t = performance.now(); for (let i = 0; i < 5; i++) fn(); console.log(label, ((performance.now() - t) / 5).toFixed(1), 'ms'); };
time('compile', () => compileWorkflow(g.doc));
time('validate', () => validateWorkflow(g.doc));
time('shape', () => inspectShape(g.doc, DOCUMENT_LIMITS));
const exprs: string[] = [];
for (const n of g.doc.nodes) { const c = n.config as Record<string, unknown>; if (typeof c.expression === 'string') exprs.push(c.expression); if (typeof c.bodyExpression === 'string') exprs.push(c.bodyExpression); if (c.variables) exprs.push(...Object.values(c.variables as Record<string,string>)); }
console.log(exprs.length, 'expressions');
time('checkExpression all', () => { for (const e of exprs) checkExpression(e); });
