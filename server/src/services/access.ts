import type { FilterQuery } from '@mikro-orm/core';
import { User, Workflow, WorkflowMember, type WorkflowRole } from '../db/entities.js';
import { apiError, badInput, notFound } from '../errors.js';
import { workflowAccessReadOnSqlite, workflowRoleReadFor, type WorkflowAccessRead, type WorkflowRoleRead } from '../db/workflow-role.js';
import { isPostgres, type Database } from '../db/orm.js';

/** What each role may do, in increasing order: a role includes everything below it. */
const RANK: Record<WorkflowRole, number> = { VIEWER: 1, EDITOR: 2, OWNER: 3 };

const ACTION_OF: Record<WorkflowRole, string> = {
  VIEWER: 'read',
  EDITOR: 'edit, deploy or run',
  OWNER: 'delete, share or manage the secrets of',
};

export function roleIncludes(role: WorkflowRole, needed: WorkflowRole): boolean {
  return RANK[role] >= RANK[needed];
}

export interface Membership {
  user: User;
  role: WorkflowRole;
  addedAt: Date;
}

/** Told when someone's access to a workflow changes, e.g. to close their editing sockets. */
export interface AccessListener {
  accessChanged(workflowId: string, userId: string, role: WorkflowRole | null): void | Promise<void>;
}

/**
 * Roles per workflow: the owner (workflows.owner_id) and the people it is shared with.
 * Someone with no role does not learn that the workflow exists (NOT_FOUND); someone with
 * too small a role is told which role the action needs (FORBIDDEN).
 */
export class AccessService {
  private listeners: AccessListener[] = [];
  private readonly readRole: WorkflowRoleRead;
  /** On SQLite, for reads of some fields only: the workflow and the membership in one statement. */
  private readonly readAccess: WorkflowAccessRead | undefined;

  constructor(private readonly db: Database) {
    this.readRole = workflowRoleReadFor(db);
    this.readAccess = isPostgres(db) ? undefined : workflowAccessReadOnSqlite(db);
  }

  onChange(listener: AccessListener): void {
    this.listeners.push(listener);
  }

  roleOf(userId: string, workflowId: string): Promise<WorkflowRole | null> {
    return this.readRole(userId, safeId(workflowId));
  }

  /** The workflow, when `user` holds at least `needed` on it. */
  async require(user: User, workflowId: string, needed: WorkflowRole): Promise<{ workflow: Workflow; role: WorkflowRole }>;
  /**
   * As above, for a caller that reads only `fields` of the workflow. On SQLite the row and the
   * membership are one statement (a run start's check), and the definition is parsed only if read.
   */
  async require<F extends keyof Workflow & string>(
    user: User,
    workflowId: string,
    needed: WorkflowRole,
    fields: readonly F[],
  ): Promise<{ workflow: Pick<Workflow, F | 'id' | 'ownerId'>; role: WorkflowRole }>;
  async require(user: User, workflowId: string, needed: WorkflowRole, fields?: readonly string[]): Promise<{ workflow: Workflow; role: WorkflowRole }> {
    const { workflow, role } =
      (fields && this.readAccess ? await this.readWithOneStatement(user, workflowId) : await this.readWithOrm(user, workflowId, fields)) ?? {};
    if (!workflow) throw notFound('workflow', workflowId);
    if (!role) throw notFound('workflow', workflowId);
    if (!roleIncludes(role, needed)) {
      throw apiError('FORBIDDEN', `you are ${article(role)} of workflow "${workflowId}"; only ${plural(needed)} may ${ACTION_OF[needed]} it`, {
        workflowId,
        role,
        requiredRole: needed,
      });
    }
    return { workflow, role };
  }

  private async readWithOrm(
    user: User,
    workflowId: string,
    fields?: readonly string[],
  ): Promise<{ workflow: Workflow; role: WorkflowRole | undefined } | null> {
    const em = this.db.em.fork();
    const workflow = (await em.findOne(
      Workflow,
      { id: safeId(workflowId) },
      fields ? { fields: [...new Set(['id', 'ownerId', ...fields])] as never } : {},
    )) as Workflow | null;
    if (!workflow) return null;
    const role = workflow.ownerId === user.id ? 'OWNER' : (await em.findOne(WorkflowMember, { workflowId: workflow.id, userId: user.id }))?.role;
    return { workflow, role };
  }

  private async readWithOneStatement(user: User, workflowId: string): Promise<{ workflow: Workflow; role: WorkflowRole | undefined } | null> {
    const read = await this.readAccess!(user.id, safeId(workflowId));
    return read && { workflow: read.workflow, role: read.role ?? undefined };
  }

  /** A filter matching the workflows `userId` may read. */
  async visibleWhere(userId: string): Promise<FilterQuery<Workflow>> {
    const shared = await this.db.em.fork().find(WorkflowMember, { userId }, { fields: ['workflowId'] });
    return shared.length === 0 ? { ownerId: userId } : { $or: [{ ownerId: userId }, { id: { $in: shared.map((m) => m.workflowId) } }] };
  }

  /** Roles of many workflows for one user at once (list pages). */
  async rolesOf(userId: string, workflows: readonly Workflow[]): Promise<Map<string, WorkflowRole>> {
    const roles = new Map<string, WorkflowRole>();
    const others = workflows.filter((w) => w.ownerId !== userId).map((w) => w.id);
    for (const w of workflows) if (w.ownerId === userId) roles.set(w.id, 'OWNER');
    if (others.length > 0) {
      for (const member of await this.db.em.fork().find(WorkflowMember, { userId, workflowId: { $in: others } })) roles.set(member.workflowId, member.role);
    }
    return roles;
  }

  async members(workflow: Workflow): Promise<Membership[]> {
    const em = this.db.em.fork();
    const rows = await em.find(WorkflowMember, { workflowId: workflow.id }, { orderBy: { createdAt: 'asc' } });
    const users = await em.find(User, { id: { $in: [workflow.ownerId, ...rows.map((r) => r.userId)] } });
    const byId = new Map(users.map((u) => [u.id, u]));
    const owner = byId.get(workflow.ownerId);
    return [
      ...(owner ? [{ user: owner, role: 'OWNER' as const, addedAt: workflow.createdAt }] : []),
      ...rows.flatMap((r) => {
        const user = byId.get(r.userId);
        return user ? [{ user, role: r.role, addedAt: r.createdAt }] : [];
      }),
    ];
  }

  /** Gives `email` the role on the workflow (or changes it). Only the owner shares; ownership is not transferable here. */
  async share(owner: User, workflowId: string, email: string, role: WorkflowRole): Promise<Membership> {
    const { workflow } = await this.require(owner, workflowId, 'OWNER');
    if (role === 'OWNER') throw badInput('a workflow has one owner; share it as EDITOR or VIEWER', { field: 'role' });
    const em = this.db.em.fork();
    const user = await em.findOne(User, { email: email.trim().toLowerCase().slice(0, 320) });
    if (!user) throw badInput(`no Tandem account uses the email "${email.slice(0, 320)}"; they must sign up first`, { field: 'email' });
    if (user.id === workflow.ownerId) throw badInput('the owner already has every role on the workflow', { field: 'email' });
    let member = await em.findOne(WorkflowMember, { workflowId: workflow.id, userId: user.id });
    const changed = member?.role !== role;
    if (member) member.role = role;
    else member = em.create(WorkflowMember, { workflowId: workflow.id, userId: user.id, role, addedById: owner.id, createdAt: new Date() });
    await em.flush();
    if (changed) await this.notify(workflow.id, user.id, role);
    return { user, role, addedAt: member.createdAt };
  }

  async unshare(owner: User, workflowId: string, email: string): Promise<boolean> {
    const { workflow } = await this.require(owner, workflowId, 'OWNER');
    const em = this.db.em.fork();
    const user = await em.findOne(User, { email: email.trim().toLowerCase().slice(0, 320) });
    if (!user) return false;
    const removed = await em.nativeDelete(WorkflowMember, { workflowId: workflow.id, userId: user.id });
    if (removed > 0) await this.notify(workflow.id, user.id, null);
    return removed > 0;
  }

  private async notify(workflowId: string, userId: string, role: WorkflowRole | null): Promise<void> {
    for (const listener of this.listeners) await listener.accessChanged(workflowId, userId, role);
  }
}

function safeId(id: string): string {
  return id.length > 100 ? '' : id;
}

function article(role: WorkflowRole): string {
  return role === 'EDITOR' ? 'an editor' : role === 'VIEWER' ? 'a viewer' : 'the owner';
}

function plural(role: WorkflowRole): string {
  return role === 'OWNER' ? 'the owner' : role === 'EDITOR' ? 'editors and the owner' : 'members';
}
