import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { compileWorkflow, type ExecutionPlan, type JsonValue } from '@tandem/schema';
import { INTERPRETER_WORKFLOW, type InterpreterInput } from '@tandem/worker';
import { HTTP_CALLS, httpChain, TRANSFORM_STEPS, transformChain, type WorkflowDoc } from './graphs.js';
import type { HttpChainInput } from './handwritten/workflows.js';
import type { Variant } from './runner.js';

export interface Scenario {
  id: 'transformChain' | 'httpChain';
  title: string;
  /** The interpreter first, then the hand-written baseline. */
  variants: [Variant, Variant];
}

export interface ScenarioContext {
  client: Client;
  interpreterQueue: string;
  handwrittenQueue: string;
}

/** The http.request timeout both variants use; the activity's start-to-close timeout is this plus 5 s. */
export const HTTP_TIMEOUT_MS = 30_000;

function plan(doc: WorkflowDoc): ExecutionPlan {
  const compiled = compileWorkflow(doc);
  if (!compiled.ok) throw new Error(`benchmark workflow "${doc.name}" is invalid: ${JSON.stringify(compiled.problems)}`);
  return compiled.plan;
}

function check(variant: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) throw new Error(`${variant} returned ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

function interpreterVariant(ctx: ScenarioContext, executionPlan: ExecutionPlan, input: (i: number) => JsonValue, expected: (i: number) => unknown): Variant {
  const name = 'interpreter';
  return {
    name,
    async run(i) {
      const executionId = randomUUID();
      const args: InterpreterInput = { executionId, plan: executionPlan, input: input(i) };
      const result = await ctx.client.workflow.execute(INTERPRETER_WORKFLOW, {
        taskQueue: ctx.interpreterQueue,
        workflowId: `bench-interpreter-${executionId}`,
        args: [args],
      });
      check(name, result, expected(i));
    },
  };
}

function handwrittenVariant(ctx: ScenarioContext, workflowType: string, input: (i: number) => unknown, expected: (i: number) => unknown): Variant {
  const name = 'hand-written';
  return {
    name,
    async run(i) {
      const result = await ctx.client.workflow.execute(workflowType, {
        taskQueue: ctx.handwrittenQueue,
        workflowId: `bench-handwritten-${randomUUID()}`,
        args: [input(i)],
      });
      check(name, result, expected(i));
    },
  };
}

/** trigger → 9 transforms (+1 each) → output, against `transformChainWorkflow`. */
export function transformChainScenario(ctx: ScenarioContext): Scenario {
  const executionPlan = plan(transformChain());
  const input = (i: number) => ({ n: i });
  const expected = (i: number) => i + TRANSFORM_STEPS;
  return {
    id: 'transformChain',
    title: `transform chain (trigger → ${TRANSFORM_STEPS} transforms → output)`,
    variants: [interpreterVariant(ctx, executionPlan, input, expected), handwrittenVariant(ctx, 'transformChainWorkflow', input, expected)],
  };
}

/** trigger → 3 chained http.request GETs on the local server → output, against `httpChainWorkflow`. */
export function httpChainScenario(ctx: ScenarioContext, baseUrl: string): Scenario {
  const executionPlan = plan(httpChain(baseUrl, HTTP_TIMEOUT_MS));
  const handInput: HttpChainInput = { baseUrl, timeoutMs: HTTP_TIMEOUT_MS };
  return {
    id: 'httpChain',
    title: `HTTP chain (trigger → ${HTTP_CALLS} http.request → output)`,
    variants: [
      interpreterVariant(
        ctx,
        executionPlan,
        () => ({}),
        () => HTTP_CALLS,
      ),
      handwrittenVariant(
        ctx,
        'httpChainWorkflow',
        () => handInput,
        () => HTTP_CALLS,
      ),
    ],
  };
}
