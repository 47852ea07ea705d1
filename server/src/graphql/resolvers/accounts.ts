import { GraphQLError } from 'graphql';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { audit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { requireUser } from '../context.js';
import { ApiTokenType, AuthPayload, CreatedApiToken, UserType } from '../types/user.js';

@Resolver()
export class AccountResolver {
  @Mutation(() => AuthPayload, { description: 'Creates an account and signs in.' })
  async signUp(@Arg('email') email: string, @Arg('password') password: string, @Arg('name') name: string, @Ctx() ctx: ApiContext): Promise<AuthPayload> {
    const session = await ctx.services.accounts.signUp(email, password, name, ctx.clientAddress);
    await audit(ctx, { action: 'SIGN_UP', actorId: session.user.id, targetType: 'USER', targetId: session.user.id, ownerId: session.user.id });
    return session;
  }

  @Mutation(() => AuthPayload, { description: 'Signs in; a wrong email or password gives the same UNAUTHENTICATED error.' })
  async signIn(@Arg('email') email: string, @Arg('password') password: string, @Ctx() ctx: ApiContext): Promise<AuthPayload> {
    let session;
    try {
      session = await ctx.services.accounts.signIn(email, password);
    } catch (error) {
      // A wrong password is recorded against the account tried (its owner can see it); an unknown
      // email is recorded without it (what was typed as an email is sometimes a password).
      if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') {
        const target = await ctx.services.audit.userIdByEmail(email);
        await audit(ctx, {
          action: 'SIGN_IN_FAILED',
          actorId: null,
          targetType: 'USER',
          targetId: target,
          ownerId: target,
          details: { reason: target ? 'WRONG_PASSWORD' : 'UNKNOWN_ACCOUNT' },
        });
      }
      throw error;
    }
    await audit(ctx, { action: 'SIGN_IN', actorId: session.user.id, targetType: 'USER', targetId: session.user.id, ownerId: session.user.id });
    return session;
  }

  @Mutation(() => Boolean, { description: 'Revokes the token this request was sent with.' })
  async signOut(@Ctx() ctx: ApiContext): Promise<boolean> {
    requireUser(ctx);
    if (ctx.token) await ctx.services.accounts.signOut(ctx.token);
    return true;
  }

  @Query(() => UserType, { nullable: true, description: 'The signed-in user, or null.' })
  me(@Ctx() ctx: ApiContext): UserType | null {
    return ctx.user;
  }

  @Mutation(() => CreatedApiToken, { description: 'Creates an API token for integrators; the secret is returned only here.' })
  async createApiToken(@Arg('name') name: string, @Ctx() ctx: ApiContext): Promise<CreatedApiToken> {
    const user = requireUser(ctx);
    const { token, secret } = await ctx.services.accounts.createApiToken(user, name);
    await audit(ctx, { action: 'API_TOKEN_CREATED', targetType: 'API_TOKEN', targetId: token.id, ownerId: user.id, details: { name: token.name } });
    return { token: token as ApiTokenType, secret };
  }

  @Query(() => [ApiTokenType])
  async apiTokens(@Ctx() ctx: ApiContext): Promise<ApiTokenType[]> {
    return (await ctx.services.accounts.apiTokens(requireUser(ctx))) as ApiTokenType[];
  }

  @Mutation(() => ApiTokenType)
  async revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<ApiTokenType> {
    const user = requireUser(ctx);
    const before = Date.now();
    const token = await ctx.services.accounts.revokeApiToken(user, id);
    // Revoking a revoked token changes nothing and records nothing.
    if (token.revokedAt && token.revokedAt.getTime() >= before)
      await audit(ctx, { action: 'API_TOKEN_REVOKED', targetType: 'API_TOKEN', targetId: token.id, ownerId: user.id, details: { name: token.name } });
    return token as ApiTokenType;
  }
}
