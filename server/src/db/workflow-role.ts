import { Workflow, WorkflowMember, type WorkflowRole } from './entities.js';
import { isPostgres, type Database } from './orm.js';
import { onSqlite } from './sqlite-connection.js';
import { preparedOn } from './sqlite-statements.js';
import { workflowOfSqliteRow, type SqliteWorkflowRow } from './workflow-page.js';

/** What a user holds on a workflow: OWNER, a member's role, or null (no access, or no such workflow). */
export type WorkflowRoleRead = (userId: string, workflowId: string) => Promise<WorkflowRole | null>;

// The owner and the user's membership in one statement.
const ROLE_SQL =
  'select `w`.`owner_id` as `owner`, `m`.`role` as `role` from `workflows` as `w` ' +
  'left join `workflow_members` as `m` on `m`.`workflow_id` = `w`.`id` and `m`.`user_id` = ? where `w`.`id` = ?';

/**
 * Every read of a run or a workflow checks the reader's role first. On SQLite it is one statement
 * prepared once per connection; on PostgreSQL the ORM's two reads.
 */
export function workflowRoleReadFor(db: Database): WorkflowRoleRead {
  if (isPostgres(db)) {
    return async (userId, workflowId) => {
      const em = db.em.fork();
      const workflow = await em.findOne(Workflow, { id: workflowId }, { fields: ['id', 'ownerId'] });
      if (!workflow) return null;
      if (workflow.ownerId === userId) return 'OWNER';
      return (await em.findOne(WorkflowMember, { workflowId: workflow.id, userId }))?.role ?? null;
    };
  }
  return (userId, workflowId) =>
    onSqlite(db, undefined, (connection) => {
      const row = preparedOn(connection, ROLE_SQL).get(userId, workflowId) as { owner: string; role: WorkflowRole | null } | undefined;
      if (!row) return null;
      return row.owner === userId ? 'OWNER' : row.role;
    });
}

/** A workflow and what a user holds on it (as WorkflowRoleRead), or null when there is no such workflow. */
export type WorkflowAccessRead = (userId: string, workflowId: string) => Promise<{ workflow: Workflow; role: WorkflowRole | null } | null>;

const ACCESS_SQL =
  'select `w`.*, `m`.`role` as `member_role` from `workflows` as `w` ' +
  'left join `workflow_members` as `m` on `m`.`workflow_id` = `w`.`id` and `m`.`user_id` = ? where `w`.`id` = ?';

/**
 * The workflow row and the user's membership in one statement prepared once per connection, for
 * SQLite (a run start reads it: the ORM's two reads cost more than the statements). The workflow
 * is not managed by any entity manager.
 */
export function workflowAccessReadOnSqlite(db: Database): WorkflowAccessRead {
  return (userId, workflowId) =>
    onSqlite(db, undefined, (connection) => {
      const row = preparedOn(connection, ACCESS_SQL).get(userId, workflowId) as (SqliteWorkflowRow & { member_role: WorkflowRole | null }) | undefined;
      return row ? { workflow: workflowOfSqliteRow(row), role: row.owner_id === userId ? 'OWNER' : row.member_role } : null;
    });
}
