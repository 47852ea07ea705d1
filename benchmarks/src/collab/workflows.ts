/** A valid workflow of `size` nodes in a chain: a manual trigger, then transforms. */
export function chainWorkflow(size: number): Record<string, unknown> {
  const nodes = Array.from({ length: size }, (_, i) =>
    i === 0
      ? { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} }
      : { id: `n${i}`, type: 'transform', position: { x: (i % 25) * 220, y: Math.floor(i / 25) * 120 }, config: { expression: `input.value + ${i}` } },
  );
  const edges = nodes.slice(1).map((node, i) => ({ id: `e${i + 1}`, source: nodes[i]!.id, target: node.id }));
  return { format: 'tandem.workflow/v1', name: `Chain of ${size}`, description: '', params: {}, nodes, edges };
}
