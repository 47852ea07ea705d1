import { ExpressionError } from './error.js';

/**
 * The work one evaluation may do. Work is counted in units, not time, so the bound is the
 * same on every replay of a workflow: one unit per evaluation step, plus units for the size of
 * what a step built (strings, lists) and for the text a regular expression scans. One unit is
 * a few microseconds; the default budget keeps any evaluation well inside Temporal's deadlock
 * timeout, which aborts the whole worker process when it fires during promise callbacks.
 */
export interface Budget {
  readonly maxWork: number;
  readonly maxDepth: number;
  work: number;
  depth: number;
}

/**
 * The budget of the evaluation in progress. Evaluation is synchronous, so exactly one runs at
 * a time; keeping the budget out of JSONata's bindings means no expression can read or
 * replace it.
 */
let active: Budget | null = null;

/** Runs `evaluate` under a fresh budget; a nested evaluation (none today) would share the outer one. */
export function withBudget<T>(maxWork: number, maxDepth: number, evaluate: (budget: Budget) => T): T {
  const outer = active;
  const budget: Budget = outer ?? { maxWork, maxDepth, work: 0, depth: 0 };
  active = budget;
  try {
    return evaluate(budget);
  } finally {
    active = outer;
  }
}

/** Adds work to the evaluation in progress; fails it once over budget. */
export function charge(units: number): void {
  const budget = active;
  if (budget === null) return;
  budget.work += units;
  if (budget.work > budget.maxWork) throw overBudget(budget);
}

/** Whether `units` more would still fit: checked before work that cannot be interrupted. */
export function canAfford(units: number): boolean {
  return active === null || active.work + units <= active.maxWork;
}

export function overBudget(budget: Pick<Budget, 'maxWork'> = active ?? { maxWork: 0 }): ExpressionError {
  return new ExpressionError(`expression did more work than allowed (${budget.maxWork} units: steps, and the size of what it built or scanned)`, 'D9003');
}

/** Steps that cost more than one unit: calls set up a frame and an environment. */
const STEP_COST: Readonly<Record<string, number>> = { function: 20, partial: 20, apply: 20, sort: 4, lambda: 2 };

export function enterStep(node: { type?: string }): void {
  const budget = active!;
  budget.work += STEP_COST[node.type ?? ''] ?? 1;
  budget.depth++;
  if (budget.work > budget.maxWork) throw overBudget(budget);
  if (budget.depth > budget.maxDepth) throw new ExpressionError(`expression nests deeper than ${budget.maxDepth} levels`, 'D9006');
}

export function exitStep(): void {
  active!.depth--;
}
