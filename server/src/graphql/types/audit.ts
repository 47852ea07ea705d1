import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { JsonValue } from '@tandem/schema';
import { AUDIT_ACTIONS, AUDIT_TARGET_TYPES, type AuditAction, type AuditTargetType } from '../../db/entities.js';
import { connectionOf, type Connection } from '../connection.js';
import { UserType } from './user.js';

export const AuditActionEnum = Object.fromEntries(AUDIT_ACTIONS.map((a) => [a, a])) as Record<AuditAction, AuditAction>;
registerEnumType(AuditActionEnum, {
  name: 'AuditAction',
  description: 'What an audit event records. Stable: new actions may be added, none renamed.',
  valuesConfig: {
    SIGN_IN: { description: 'A sign-in succeeded (target: the user).' },
    SIGN_IN_FAILED: { description: 'A sign-in with a wrong password (target: the account tried; no actor).' },
    SIGN_UP: { description: 'An account was created (target: the new user).' },
    API_TOKEN_CREATED: { description: 'An API token was created (target: the token; details.name).' },
    API_TOKEN_REVOKED: { description: 'An API token was revoked (target: the token; details.name).' },
    WORKFLOW_SHARED: { description: 'A user was given a role on a workflow, or their role changed (details.userId, email, role).' },
    WORKFLOW_UNSHARED: { description: "A user's role on a workflow was removed (details.userId, email)." },
    WORKFLOW_DEPLOYED: {
      description: 'A workflow version was deployed (details.version, versionId; rolledBackTo: the earlier version a roll back deployed again).',
    },
    SECRET_SET: { description: 'A secret was created or its value replaced (target: its name; details.created). Never the value.' },
    SECRET_DELETED: { description: 'A secret was deleted (target: its name).' },
  },
});

export const AuditTargetTypeEnum = Object.fromEntries(AUDIT_TARGET_TYPES.map((t) => [t, t])) as Record<AuditTargetType, AuditTargetType>;
registerEnumType(AuditTargetTypeEnum, { name: 'AuditTargetType', description: 'What kind of thing an audit event is about.' });

@ObjectType('AuditEvent', { description: 'One security-relevant action.' })
export class AuditEventType {
  @Field(() => ID, { description: 'Increasing: a later event has a larger id.' })
  id!: string;

  @Field()
  at!: Date;

  @Field(() => AuditActionEnum)
  action!: AuditAction;

  @Field(() => UserType, { nullable: true, description: 'Who did it; null for a failed sign-in.' })
  actor!: UserType | null;

  @Field(() => AuditTargetTypeEnum)
  targetType!: AuditTargetType;

  @Field(() => String, { nullable: true, description: 'The user, token or workflow id, or the secret name.' })
  targetId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The workflow the event is about, if any.' })
  workflowId!: string | null;

  @Field(() => GraphQLJSON, { description: 'What else was recorded; never a password, token or secret value.' })
  details!: JsonValue;

  @Field(() => String, {
    nullable: true,
    description: "The client's address: shown for your own actions and for failed sign-ins to your account, not for what others did on your workflows.",
  })
  clientAddress!: string | null;
}

@InputType()
export class AuditLogFilter {
  @Field(() => AuditActionEnum, { nullable: true })
  action?: AuditAction | null;

  @Field(() => ID, { nullable: true, description: 'Only events about this workflow.' })
  workflowId?: string | null;
}

export const { Connection: AuditEventConnection } = connectionOf(AuditEventType, 'AuditEvent');
export type AuditEventConnection = Connection<AuditEventType>;
