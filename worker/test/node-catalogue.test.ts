import { describe, expect, it } from 'vitest';
import { NODE_TYPE_NAMES } from '@tandem/schema';
import { EXECUTORS } from '../src/workflows/nodes/index.js';

describe('the node catalogue in the worker', () => {
  it('has an executor for every node type of the catalogue and none for a type it lacks', () => {
    expect([...EXECUTORS.keys()].sort()).toEqual([...NODE_TYPE_NAMES].sort());
  });
});
