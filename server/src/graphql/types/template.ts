import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, InputType, ObjectType } from 'type-graphql';
import type { JsonValue } from '@tandem/schema';
import { connectionOf, type Connection } from '../connection.js';

@ObjectType('TemplateParameter', { description: 'Fills the workflow param of the same name when the template is instantiated.' })
export class TemplateParameterType {
  @Field()
  name!: string;

  @Field({ description: 'string, number, boolean, secret (a reference by name) or json.' })
  type!: string;

  @Field()
  required!: boolean;

  @Field()
  description!: string;

  @Field(() => GraphQLJSON, { nullable: true })
  default!: JsonValue;

  @Field(() => [String], {
    description:
      'Node config fields the value is also written to, as <nodeId>.<field> (built-in templates: timeouts, cron lines, webhook paths, retry policies).',
  })
  configFields!: string[];
}

@InputType()
export class TemplateParameterInput {
  @Field()
  name!: string;

  @Field()
  type!: string;

  @Field(() => Boolean, { nullable: true })
  required?: boolean | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => GraphQLJSON, { nullable: true })
  default?: JsonValue;
}

@InputType()
export class SaveAsTemplateInput {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { nullable: true })
  tags?: string[] | null;

  @Field(() => [TemplateParameterInput], { nullable: true })
  parameters?: TemplateParameterInput[] | null;
}

@ObjectType('TemplatePreviewPosition')
export class TemplatePreviewPosition {
  @Field(() => Float)
  x!: number;

  @Field(() => Float)
  y!: number;
}

@ObjectType('TemplatePreviewNode')
export class TemplatePreviewNode {
  @Field()
  id!: string;

  @Field()
  type!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => TemplatePreviewPosition)
  position!: TemplatePreviewPosition;
}

@ObjectType('TemplatePreviewEdge')
export class TemplatePreviewEdge {
  @Field()
  id!: string;

  @Field()
  source!: string;

  @Field()
  target!: string;

  @Field(() => String, { nullable: true })
  sourceHandle!: string | null;
}

@ObjectType('TemplatePreview', { description: "The template's graph to draw: nodes with their positions, and edges." })
export class TemplatePreview {
  @Field(() => [TemplatePreviewNode])
  nodes!: TemplatePreviewNode[];

  @Field(() => [TemplatePreviewEdge])
  edges!: TemplatePreviewEdge[];
}

@ObjectType('Template')
export class TemplateType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  description!: string;

  @Field(() => [String])
  tags!: string[];

  @Field(() => [TemplateParameterType])
  parameters!: TemplateParameterType[];

  @Field(() => GraphQLJSON, { description: 'The tandem.workflow/v1 document (also the preview of its graph).' })
  definition!: JsonValue;

  @Field()
  createdAt!: Date;

  authorId!: string;
}

export const { Connection: TemplateConnection } = connectionOf(TemplateType, 'Template');
export type TemplateConnection = Connection<TemplateType>;
