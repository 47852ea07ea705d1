import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { WORKFLOW_ROLES, type WorkflowRole } from '../../db/entities.js';
import { UserType } from './user.js';

export const WorkflowRoleEnum = Object.fromEntries(WORKFLOW_ROLES.map((r) => [r, r])) as Record<WorkflowRole, WorkflowRole>;
registerEnumType(WorkflowRoleEnum, {
  name: 'WorkflowRole',
  description: 'OWNER: everything, including delete and share. EDITOR: edit, deploy, run and control runs. VIEWER: read and watch.',
});

@ObjectType('CollabTicket', {
  description: 'Opens the live document of one workflow: a y-websocket client connects to `url` + "/" + `room` with ?ticket=<ticket> before `expiresAt`.',
})
export class CollabTicketType {
  @Field()
  url!: string;

  @Field()
  room!: string;

  @Field({ description: 'Single-workflow and short-lived; get a new one before reconnecting once it has expired.' })
  ticket!: string;

  @Field()
  expiresAt!: Date;

  @Field({ description: 'True for viewers: the server drops their edits.' })
  readOnly!: boolean;
}

@ObjectType('WorkflowMember', { description: 'Someone with a role on a workflow (the owner included).' })
export class WorkflowMemberType {
  @Field(() => UserType)
  user!: UserType;

  @Field(() => WorkflowRoleEnum)
  role!: WorkflowRole;

  @Field()
  addedAt!: Date;
}
