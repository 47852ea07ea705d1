import { Field, Int, ObjectType, type ClassType } from 'type-graphql';

/** Relay connections: PageInfo, the Connection and Edge type of each node type, and the page → connection mapping. */

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

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Array<Edge<T>>;
  pageInfo: PageInfo;
  totalCount: number;
}

/**
 * The GraphQL types `<name>Connection` and `<name>Edge` for one node type. Call it once per
 * node type, at module level: type-graphql registers a type for every call.
 */
export function connectionOf<T extends object>(nodeType: ClassType<T>, name: string): { Connection: ClassType<Connection<T>>; Edge: ClassType<Edge<T>> } {
  @ObjectType(`${name}Edge`)
  class EdgeType implements Edge<T> {
    @Field()
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType implements Connection<T> {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int)
    totalCount!: number;
  }

  return { Connection: ConnectionType, Edge: EdgeType };
}

/** Builds a Relay connection from a service page. Cursors are encoded only when a query asks for them. */
export function toConnection<T, N = T>(
  page: { items: T[]; hasNextPage: boolean; totalCount: number; cursorOf(item: T): string },
  hadCursor: boolean,
  map: (item: T) => N = (item) => item as unknown as N,
): Connection<N> {
  const { items, cursorOf } = page;
  const edges = items.map((item): Edge<N> => ({
    get cursor() {
      return cursorOf(item);
    },
    node: map(item),
  }));
  return {
    edges,
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: hadCursor,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges.at(-1)?.cursor ?? null;
      },
    },
  };
}
