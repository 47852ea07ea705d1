import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType('User')
export class UserType {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;

  @Field()
  name!: string;

  @Field()
  createdAt!: Date;
}

@ObjectType({ description: 'A session: send the token as Authorization: Bearer <token>.' })
export class AuthPayload {
  @Field()
  token!: string;

  @Field(() => UserType)
  user!: UserType;
}

@ObjectType('ApiToken', { description: 'A revocable bearer token for integrators; the secret is shown only when created.' })
export class ApiTokenType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'The first characters of the secret.' })
  prefix!: string;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType()
export class CreatedApiToken {
  @Field(() => ApiTokenType)
  token!: ApiTokenType;

  @Field({ description: 'The bearer secret. Store it now: it is not shown again.' })
  secret!: string;
}
