import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Secret } from '../../db/entities.js';
import { audit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { requireUser } from '../context.js';
import { toConnection } from '../connection.js';
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
    const user = requireUser(ctx);
    const { secret, created } = await ctx.services.secrets.set(user, name, value);
    await audit(ctx, { action: 'SECRET_SET', targetType: 'SECRET', targetId: secret.name, ownerId: user.id, details: { name: secret.name, created } });
    return toType(secret);
  }

  @Mutation(() => Boolean, { description: 'Deletes a secret; false when you had none of that name. Runs that use it fail from then on, naming it.' })
  async deleteSecret(@Arg('name') name: string, @Ctx() ctx: ApiContext): Promise<boolean> {
    const user = requireUser(ctx);
    const deleted = await ctx.services.secrets.delete(user, name);
    if (deleted) await audit(ctx, { action: 'SECRET_DELETED', targetType: 'SECRET', targetId: name.trim(), ownerId: user.id, details: { name: name.trim() } });
    return deleted;
  }
}

/** Only these fields leave the server, whatever the row holds. */
function toType(secret: Secret): SecretType {
  return { name: secret.name, createdAt: secret.createdAt, updatedAt: secret.updatedAt };
}
