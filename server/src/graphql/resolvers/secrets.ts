import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Secret } from '../../db/entities.js';
import type { ApiContext } from '../context.js';
import { requireUser } from '../context.js';
import { toConnection } from '../types/common.js';
import { SecretConnection, SecretType } from '../types/secret.js';

/** Your secrets: names and dates only; values go in and never come out. */
@Resolver(() => SecretType)
export class SecretResolver {
  @Query(() => SecretConnection, { description: 'Your secrets by name (never their values). first ≤ 100.' })
  async secrets(
    @Ctx() ctx: ApiContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<SecretConnection> {
    return toConnection(await ctx.services.secrets.list(requireUser(ctx), first, after), Boolean(after), toType);
  }

  @Mutation(() => SecretType, {
    description: 'Creates a secret or replaces its value (at most 16 KiB). Workflows use it as secrets.NAME; the value is never shown again.',
  })
  async setSecret(@Arg('name') name: string, @Arg('value') value: string, @Ctx() ctx: ApiContext): Promise<SecretType> {
    const { secret } = await ctx.services.secrets.set(requireUser(ctx), name, value);
    return toType(secret);
  }

  @Mutation(() => Boolean, { description: 'Deletes a secret; false when you had none of that name. Runs that use it fail from then on, naming it.' })
  async deleteSecret(@Arg('name') name: string, @Ctx() ctx: ApiContext): Promise<boolean> {
    return ctx.services.secrets.delete(requireUser(ctx), name);
  }
}

/** Only these fields leave the server, whatever the row holds. */
function toType(secret: Secret): SecretType {
  return { name: secret.name, createdAt: secret.createdAt, updatedAt: secret.updatedAt };
}
