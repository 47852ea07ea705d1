import { compileWorkflow } from '@tandem/schema';
import { generatedGraph } from '../src/graphs.js';
const g = generatedGraph(1000);
for (let i = 0; i < 40; i++) compileWorkflow(g.doc);
