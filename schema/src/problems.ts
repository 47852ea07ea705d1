/** Machine-readable kind of a validation problem; the message is for people. */
export type ProblemCode =
  | 'invalid_document'
  | 'invalid_node'
  | 'invalid_edge'
  | 'unknown_type'
  | 'invalid_config'
  | 'duplicate_id'
  | 'dangling_edge'
  | 'missing_handle'
  | 'unknown_handle'
  | 'unexpected_handle'
  | 'illegal_cycle'
  | 'unreachable'
  | 'no_trigger'
  | 'trigger_has_input'
  | 'expression_syntax'
  | 'template_syntax'
  | 'invalid_secret_reference'
  | 'invalid_loop';

/** One thing wrong with a workflow, located by path and by the node or edge it belongs to. */
export interface Problem {
  code: ProblemCode;
  /** Where in the document, e.g. `nodes[2].config.url`. */
  path: string;
  nodeId?: string;
  edgeId?: string;
  message: string;
}
