import type { ConfigOf, JsonValue, loop as loopType } from '@tandem/schema';
import { StepError, type NodeExecutor } from '../step.js';
import { isTruthy } from './truthy.js';

/**
 * forEach: runs the body once per item of the list; while: as long as the expression holds.
 * Every `continueAsNewEvery` iterations (or when Temporal suggests it) the execution continues
 * as a new Temporal run, so thousands of iterations keep each history small.
 */
export const loop: NodeExecutor<ConfigOf<typeof loopType>> = {
  async execute({ config, evaluate, evaluateInLoop, runLoopBody, continueAsNew, continueAsNewSuggested, resumeIndex, resumeItems }) {
    let items: JsonValue[] | null = null;
    if (config.mode === 'forEach') {
      const list = resumeItems ?? (await evaluate(['expression']));
      if (!Array.isArray(list)) throw new StepError(`forEach needs a list, but the expression gave ${list === null ? 'null' : typeof list}`, 'LoopError');
      if (list.length > config.maxIterations) {
        throw new StepError(`the list has ${list.length} items, more than maxIterations (${config.maxIterations})`, 'LoopError');
      }
      items = list;
    }
    let index = resumeIndex;
    for (;;) {
      if (items && index >= items.length) break;
      if (index > resumeIndex && ((index - resumeIndex) % config.continueAsNewEvery === 0 || continueAsNewSuggested())) {
        await continueAsNew(index, items);
      }
      let item: JsonValue;
      if (items) {
        item = items[index]!;
      } else {
        if (!isTruthy(await evaluateInLoop(['expression'], { item: null, index }))) break;
        if (index >= config.maxIterations) throw new StepError(`the loop ran ${index} iterations and would exceed maxIterations`, 'LoopError');
        item = null;
      }
      await runLoopBody({ item, index });
      index++;
    }
    return { output: { iterations: index }, handles: ['done'] };
  },
};
