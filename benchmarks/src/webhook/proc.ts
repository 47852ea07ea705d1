// What a process tree costs, read from /proc (Linux): CPU time (utime + stime) and resident
// memory of a process and all its descendants, and a sampler for the peak of their summed RSS.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports times in clock ticks, 100 per second on every common kernel configuration. */
const CLOCK_TICKS = 100;
const PAGE_BYTES = 4_096;

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime, seconds. */
  cpuSeconds: number;
}

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (in parentheses, which may hold spaces): state is field 3.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS };
  } catch {
    return null; // gone, or not Linux
  }
}

function allStats(): Stat[] {
  const stats: Stat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const stats = allStats();
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const tree: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (!stats.some((s) => s.pid === pid)) continue;
    tree.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Direct children of `parent` whose command line contains `needle`. */
export function childrenMatching(parent: number, needle: string): number[] {
  return allStats()
    .filter((s) => s.ppid === parent)
    .map((s) => s.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    });
}

/** CPU seconds (user + system) used so far by these processes. */
export function cpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuSeconds ?? 0), 0);
}

/** Resident memory of these processes now, bytes. */
export function rssBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
    } catch {
      // gone
    }
  }
  return total;
}

/** A group of processes to measure: a fixed list, or a tree re-read at every sample (a worker child may restart). */
export interface Measured {
  name: string;
  pids(): number[];
}

export function tree(name: string, root: number): Measured {
  return { name, pids: () => processTree(root) };
}

export function fixed(name: string, pids: number[]): Measured {
  return { name, pids: () => pids };
}

export interface Usage {
  cpuSeconds: number;
  /** Largest summed RSS seen while sampling, MiB. */
  peakRssMiB: number;
  /** Summed RSS at the end, MiB. */
  endRssMiB: number;
}

/** Samples the summed RSS of each group every `intervalMs` and notes CPU time from start to stop. */
export function startUsage(groups: readonly Measured[], intervalMs = 200): { stop(): Record<string, Usage> } {
  // Per process: one that ends during the window (a build's helpers) must not subtract its past.
  const startCpu = new Map(groups.map((g) => [g.name, new Map(g.pids().map((pid) => [pid, cpuSeconds([pid])]))]));
  const peak = new Map(groups.map((g) => [g.name, rssBytes(g.pids())]));
  const sample = () => {
    for (const g of groups) peak.set(g.name, Math.max(peak.get(g.name)!, rssBytes(g.pids())));
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const usage: Record<string, Usage> = {};
      for (const g of groups) {
        const pids = g.pids();
        const before = startCpu.get(g.name)!;
        const cpu = pids.reduce((sum, pid) => sum + cpuSeconds([pid]) - (before.get(pid) ?? 0), 0);
        usage[g.name] = { cpuSeconds: cpu, peakRssMiB: mib(peak.get(g.name)!), endRssMiB: mib(rssBytes(pids)) };
      }
      return usage;
    },
  };
}

export function mib(bytes: number): number {
  return bytes / 2 ** 20;
}
