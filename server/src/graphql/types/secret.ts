import { Field, ObjectType } from 'type-graphql';
import { connectionOf, type Connection } from '../connection.js';

@ObjectType('Secret', {
  description:
    'A secret of yours, used in workflows as `secrets.NAME` (e.g. in an http.request header). Its value is never returned: not here, not in runs, events or exports.',
})
export class SecretType {
  @Field({ description: 'Letters, digits and "_", not starting with a digit; at most 64 characters.' })
  name!: string;

  @Field()
  createdAt!: Date;

  @Field({ description: 'When the value was last set.' })
  updatedAt!: Date;
}

export const { Connection: SecretConnection } = connectionOf(SecretType, 'Secret');
export type SecretConnection = Connection<SecretType>;
