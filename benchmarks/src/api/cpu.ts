import { readFileSync } from 'node:fs';

/** CPU time of this process, and of its children that have exited (k6 and the Node load generator, once done). */
export interface CpuSnapshot {
  at: number;
  selfSeconds: number;
  childrenSeconds: number;
}

/** Linux reports children's times in clock ticks, 100 per second on every common kernel configuration. */
const CLOCK_TICKS = 100;

function exitedChildrenSeconds(): number {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces: cutime and cstime are fields 16 and 17.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
  } catch {
    return Number.NaN; // not Linux
  }
}

export function cpuSnapshot(): CpuSnapshot {
  const usage = process.cpuUsage();
  return { at: performance.now(), selfSeconds: (usage.user + usage.system) / 1e6, childrenSeconds: exitedChildrenSeconds() };
}

/** Share of one core used between two snapshots, in percent: by this process (server, worker, baseline) and by children that exited in between. */
export function cpuPercent(from: CpuSnapshot, to: CpuSnapshot): { self: number; children: number } {
  const wall = (to.at - from.at) / 1_000;
  return { self: (100 * (to.selfSeconds - from.selfSeconds)) / wall, children: (100 * (to.childrenSeconds - from.childrenSeconds)) / wall };
}
