import { GraphQLJSON } from 'graphql-scalars';
import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ChangeKind, FieldKind, JsonValue, NodeMark, Position, TextDiffPart, WorkflowDefinition, WorkflowEdge, WorkflowNode } from '@tandem/schema';

// GraphQL names are upper case; the values are the schema package's, so its diff is returned as it is.
export const ChangeKindEnum = { ADDED: 'added', REMOVED: 'removed', CHANGED: 'changed' } as const satisfies Record<string, ChangeKind>;
registerEnumType(ChangeKindEnum, { name: 'ChangeKind' });

export const NodeMarkEnum = { ADDED: 'added', REMOVED: 'removed', CHANGED: 'changed', RENAMED: 'renamed', MOVED: 'moved' } as const satisfies Record<
  string,
  NodeMark
>;
registerEnumType(NodeMarkEnum, {
  name: 'NodeMark',
  description: 'How a canvas marks a node: CHANGED when its type or config differ, else RENAMED, else MOVED.',
});

export const FieldKindEnum = { EXPRESSION: 'expression', TEMPLATE: 'template', LITERAL: 'literal' } as const satisfies Record<string, FieldKind>;
registerEnumType(FieldKindEnum, { name: 'ConfigFieldKind', description: 'How a config value is read: JSONata, a {{ }} template, or a plain value.' });

export const TextDiffOpEnum = { EQUAL: 'equal', DELETE: 'delete', INSERT: 'insert' } as const satisfies Record<string, TextDiffPart['op']>;
registerEnumType(TextDiffOpEnum, { name: 'TextDiffOp' });

@InputType({ description: 'One side of a comparison: a deployed version, or the live draft when version is null or omitted.' })
export class WorkflowRevision {
  @Field(() => Int, { nullable: true, description: 'A deployed version number; null or omitted: the live draft.' })
  version?: number | null;
}

@ObjectType('TextDiffPart', { description: 'A run of a word-level text diff: EQUAL + DELETE parts are the old text, EQUAL + INSERT the new.' })
export class TextDiffPartType implements TextDiffPart {
  @Field(() => TextDiffOpEnum)
  op!: TextDiffPart['op'];

  @Field()
  text!: string;
}

@ObjectType('ConfigFieldChange', { description: 'A config field that differs. Objects are compared key by key (path descends into them), arrays whole.' })
export class ConfigFieldChangeType {
  @Field(() => [String], { description: 'The field inside config, e.g. ["headers", "x-id"].' })
  path!: string[];

  @Field({ description: 'path as text, e.g. headers["x-id"].' })
  field!: string;

  @Field(() => ChangeKindEnum)
  change!: ChangeKind;

  @Field(() => FieldKindEnum)
  kind!: FieldKind;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Null when the field was added.' })
  before?: JsonValue;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Null when the field was removed.' })
  after?: JsonValue;

  @Field(() => [TextDiffPartType], { nullable: true, description: 'When either side is text.' })
  text?: TextDiffPart[];
}

@ObjectType({ description: 'A text value before and after.' })
export class TextChange {
  @Field(() => String, { nullable: true })
  before!: string | null;

  @Field(() => String, { nullable: true })
  after!: string | null;
}

@ObjectType({ description: 'A canvas position before and after.' })
export class PositionChange {
  // Nullable: an incomplete draft written by another client may hold no usable position.
  @Field(() => GraphQLJSON, { nullable: true, description: '{ x, y }' })
  before!: Position;

  @Field(() => GraphQLJSON, { nullable: true, description: '{ x, y }' })
  after!: Position;
}

@ObjectType('NodeChange')
export class NodeChangeType {
  @Field()
  nodeId!: string;

  @Field(() => ChangeKindEnum)
  change!: ChangeKind;

  @Field(() => NodeMarkEnum)
  mark!: NodeMark;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The whole node as added (in to) or removed (from from); null for a changed one.' })
  node?: WorkflowNode;

  @Field(() => TextChange, { nullable: true, description: 'The node type, when it changed.' })
  type?: TextChange;

  @Field(() => TextChange, { nullable: true, description: 'The label, when it changed (null: no label).' })
  name?: TextChange;

  @Field(() => PositionChange, { nullable: true })
  position?: PositionChange;

  @Field(() => [ConfigFieldChangeType])
  config!: ConfigFieldChangeType[];
}

@ObjectType('EdgeChange')
export class EdgeChangeType {
  @Field()
  edgeId!: string;

  @Field(() => ChangeKindEnum, { description: 'CHANGED: the same edge id now connects other nodes or handles.' })
  change!: ChangeKind;

  @Field(() => GraphQLJSON, { nullable: true })
  before?: WorkflowEdge;

  @Field(() => GraphQLJSON, { nullable: true })
  after?: WorkflowEdge;
}

@ObjectType('MetadataChange', { description: 'The workflow name or description.' })
export class MetadataChangeType {
  @Field()
  field!: 'name' | 'description';

  @Field()
  before!: string;

  @Field()
  after!: string;

  @Field(() => [TextDiffPartType])
  text!: TextDiffPart[];
}

@ObjectType('ParamChange', { description: 'A workflow-level constant (params).' })
export class ParamChangeType {
  @Field()
  name!: string;

  @Field(() => ChangeKindEnum)
  change!: ChangeKind;

  @Field(() => GraphQLJSON, { nullable: true })
  before?: JsonValue;

  @Field(() => GraphQLJSON, { nullable: true })
  after?: JsonValue;
}

@ObjectType('WorkflowDiff', {
  description: 'What changed from one revision of a workflow to another; nodes, edges and params are matched by id, and each list is sorted by id.',
})
export class WorkflowDiffType {
  @Field(() => Int, { nullable: true, description: 'The version compared from; null: the draft.' })
  fromVersion!: number | null;

  @Field(() => Int, { nullable: true, description: 'The version compared to; null: the draft.' })
  toVersion!: number | null;

  @Field({ description: 'True when the two documents are the same.' })
  identical!: boolean;

  @Field(() => [MetadataChangeType])
  metadata!: MetadataChangeType[];

  @Field(() => [ParamChangeType])
  params!: ParamChangeType[];

  @Field(() => [NodeChangeType])
  nodes!: NodeChangeType[];

  @Field(() => [EdgeChangeType])
  edges!: EdgeChangeType[];

  @Field(() => GraphQLJSON, { description: 'The from document (tandem.workflow/v1).' })
  fromDefinition!: WorkflowDefinition;

  @Field(() => GraphQLJSON, { description: 'The to document (tandem.workflow/v1).' })
  toDefinition!: WorkflowDefinition;
}
