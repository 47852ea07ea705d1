import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One thing wrong with a workflow document, located by path and node or edge id.' })
export class Problem {
  @Field()
  code!: string;

  @Field()
  path!: string;

  @Field(() => String, { nullable: true })
  nodeId!: string | null;

  @Field(() => String, { nullable: true })
  edgeId!: string | null;

  @Field()
  message!: string;
}

export const PageSize = () => Int;
