import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field()
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

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

export interface ConnectionShape<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds a Relay connection from a service page. */
export function toConnection<T, N = T>(
  page: { items: T[]; hasNextPage: boolean; totalCount: number; cursorOf(item: T): string },
  hadCursor: boolean,
  map: (item: T) => N = (item) => item as unknown as N,
): ConnectionShape<N> {
  const edges = page.items.map((item) => ({ cursor: page.cursorOf(item), node: map(item) }));
  return {
    edges,
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: hadCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

export const PageSize = () => Int;
