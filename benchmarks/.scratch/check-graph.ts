import { compileWorkflow } from '@tandem/schema';
import { generatedGraph, transformChain, httpChain } from '../src/graphs.js';
const g = generatedGraph(1000);
console.log(g.mix, g.doc.nodes.length, g.doc.edges.length);
for (const d of [g.doc, transformChain(), httpChain('http://127.0.0.1:1', 5000)]) {
  const t = performance.now();
  const r = compileWorkflow(d);
  console.log(r.ok ? 'ok' : JSON.stringify(r.problems.slice(0, 5)), (performance.now() - t).toFixed(1), 'ms');
}
for (let i = 0; i < 10; i++) { const t = performance.now(); compileWorkflow(structuredClone(g.doc)); console.log((performance.now() - t).toFixed(1)); }
