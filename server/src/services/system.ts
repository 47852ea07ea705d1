import { User } from '../db/entities.js';
import type { Database } from '../db/orm.js';
import { forbidden } from '../errors.js';
import type { SystemFigures } from '../metrics/system-figures.js';

/**
 * The installation's system figures (systemMetrics), for its owner only: the account that
 * signed up first, which on a self-hosted Tandem is whoever set it up. The figures name no
 * user or workflow, but they show how busy the whole installation is, which other tenants'
 * users have no need to see.
 */
export class SystemService {
  /** The owner never changes once there is one (accounts are not deleted). */
  private ownerId: string | undefined;

  constructor(
    private readonly db: Database,
    private readonly read: () => Promise<SystemFigures>,
  ) {}

  async figures(user: User): Promise<SystemFigures> {
    if (!(await this.isOwner(user))) throw forbidden("system metrics are for the installation's owner (the account that signed up first)");
    return this.read();
  }

  private async isOwner(user: User): Promise<boolean> {
    this.ownerId ??= (await this.db.em.fork().find(User, {}, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], fields: ['id'], limit: 1 }))[0]?.id;
    return this.ownerId === user.id;
  }
}
