import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { requireUser } from '../context.js';
import { ApiTokenType, AuthPayload, CreatedApiToken, UserType } from '../types/user.js';

@Resolver()
export class AccountResolver {
  @Mutation(() => AuthPayload, { description: 'Creates an account and signs in.' })
  async signUp(@Arg('email') email: string, @Arg('password') password: string, @Arg('name') name: string, @Ctx() ctx: ApiContext): Promise<AuthPayload> {
    return ctx.services.accounts.signUp(email, password, name, ctx.clientAddress);
  }

  @Mutation(() => AuthPayload, { description: 'Signs in; a wrong email or password gives the same UNAUTHENTICATED error.' })
  async signIn(@Arg('email') email: string, @Arg('password') password: string, @Ctx() ctx: ApiContext): Promise<AuthPayload> {
    return ctx.services.accounts.signIn(email, password);
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
    const { token, secret } = await ctx.services.accounts.createApiToken(requireUser(ctx), name);
    return { token: token as ApiTokenType, secret };
  }

  @Query(() => [ApiTokenType])
  async apiTokens(@Ctx() ctx: ApiContext): Promise<ApiTokenType[]> {
    return (await ctx.services.accounts.apiTokens(requireUser(ctx))) as ApiTokenType[];
  }

  @Mutation(() => ApiTokenType)
  async revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<ApiTokenType> {
    return (await ctx.services.accounts.revokeApiToken(requireUser(ctx), id)) as ApiTokenType;
  }
}
