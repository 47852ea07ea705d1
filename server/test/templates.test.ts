import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, DATABASES, startApi, type Api } from './api-harness.js';

const GREETING = {
  format: 'tandem.workflow/v1',
  name: 'Greeting',
  description: 'Greets someone',
  params: { greeting: 'Hello', times: 1 },
  nodes: [
    { id: 't', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'out', type: 'output', position: { x: 200, y: 0 }, config: { expression: "params.greeting & ', ' & input.who & ' x' & $string(params.times)" } },
  ],
  edges: [{ id: 'e1', source: 't', target: 'out' }],
};

describe.each(DATABASES)('templates on %s', (database) => {
  let api: Api;
  let token: string;
  let templateId: string;
  beforeAll(async () => {
    api = await startApi({ database });
    token = (await api.user()).token;
    const created = await api.gql<{ createWorkflow: { id: string } }>(
      'mutation($d: JSON!) { createWorkflow(input: { name: "Greeting", definition: $d }) { id } }',
      { d: GREETING },
      token,
    );
    const saved = await api.gql<{ saveAsTemplate: { id: string; parameters: unknown[]; author: { name: string } } }>(
      `mutation($id: ID!) { saveAsTemplate(workflowId: $id, input: {
        name: "Greeter", tags: ["Demo", "greetings"],
        parameters: [
          { name: "greeting", type: "string", required: true, description: "What to say" },
          { name: "times", type: "number", default: 2 }
        ] }) { id parameters { name type required default } author { name } } }`,
      { id: created.data!.createWorkflow.id },
      token,
    );
    templateId = saved.data!.saveAsTemplate.id;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists templates by search and tag, with their typed parameters', async () => {
    const byTag = await api.gql<{
      templates: { totalCount: number; edges: Array<{ node: { name: string; tags: string[]; parameters: Array<Record<string, unknown>> } }> };
    }>('{ templates(tag: "demo") { totalCount edges { node { name tags parameters { name type required default } } } } }', {}, token);
    expect(byTag.data!.templates.totalCount).toBe(1);
    expect(byTag.data!.templates.edges[0]!.node).toEqual({
      name: 'Greeter',
      tags: ['demo', 'greetings'],
      parameters: [
        { name: 'greeting', type: 'string', required: true, default: null },
        { name: 'times', type: 'number', required: false, default: 2 },
      ],
    });
    expect((await api.gql<{ templates: { totalCount: number } }>('{ templates(search: "GREET") { totalCount } }', {}, token)).data!.templates.totalCount).toBe(
      1,
    );
    expect((await api.gql<{ templates: { totalCount: number } }>('{ templates(tag: "other") { totalCount } }', {}, token)).data!.templates.totalCount).toBe(0);
  });

  it('instantiates a workflow whose params come from the parameters and defaults, and it runs', async () => {
    const made = await api.gql<{ instantiateTemplate: { id: string; definition: { params: Record<string, unknown> } } }>(
      'mutation($id: ID!) { instantiateTemplate(templateId: $id, name: "Hi there", parameters: { greeting: "Hi" }) { id definition } }',
      { id: templateId },
      token,
    );
    const workflow = made.data!.instantiateTemplate;
    expect(workflow.definition.params).toEqual({ greeting: 'Hi', times: 2 });
    await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: workflow.id }, token);
    const started = await api.gql<{ startExecution: { id: string } }>(
      'mutation($id: ID!) { startExecution(workflowId: $id, input: { who: "Ada" }) { id } }',
      { id: workflow.id },
      token,
    );
    const stream = collect<{ executionEvents: { type: string; data: { result?: unknown } } }>(
      api.ws(token),
      'subscription($id: ID!) { executionEvents(executionId: $id) { type data } }',
      {
        id: started.data!.startExecution.id,
      },
    );
    await stream.done;
    expect(stream.items.at(-1)!.executionEvents).toMatchObject({ type: 'EXECUTION_COMPLETED', data: { result: 'Hi, Ada x2' } });
  });

  it('refuses a missing required parameter, a mistyped one and an unknown one, naming each', async () => {
    const result = await api.gql(
      'mutation($id: ID!) { instantiateTemplate(templateId: $id, parameters: { times: "three", extra: 1 }) { id } }',
      { id: templateId },
      token,
    );
    const error = result.errors![0]!;
    expect(error.extensions!.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('parameter "greeting" is required');
    expect(error.message).toContain('parameter "times" must be a number');
    expect(error.message).toContain('unknown parameter "extra"');
    const bad = await api.gql('mutation { saveAsTemplate(workflowId: "nope", input: { name: "x" }) { id } }', {}, token);
    expect(bad.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });
});
