import { readFileSync } from 'node:fs';
import type { Pool } from '../../shared/db/pool.ts';

/**
 * Where the CPU went during a measurement, per process group (a service, Kafka, the Postgres backends of
 * the bench database, the load generator itself), in cores: CPU seconds from /proc divided by wall
 * seconds. On a 2-core machine the group near 1.0 (or the sum near 2.0) is what limits a stage.
 */
const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux that Node supports

function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) are space-separated; utime and stime
    // are fields 14 and 15 of the whole line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined; // gone, or not on Linux
  }
}

export type ProcessGroups = Record<string, () => Promise<number[]> | number[]>;

export interface CpuWatch {
  /** Cores used per group since the watch started, and by the bench process itself (`loadgen`). */
  stop(): Promise<Record<string, number>>;
}

async function snapshot(groups: ProcessGroups): Promise<Map<string, Map<number, number>>> {
  const result = new Map<string, Map<number, number>>();
  for (const [name, pids] of Object.entries(groups)) {
    const seconds = new Map<number, number>();
    for (const pid of await pids()) {
      const value = cpuSecondsOf(pid);
      if (value !== undefined) seconds.set(pid, value);
    }
    result.set(name, seconds);
  }
  return result;
}

/** Busy CPU seconds of the whole machine (all cores): everything but idle and iowait in /proc/stat. */
function machineBusySeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export async function watchCpu(groups: ProcessGroups): Promise<CpuWatch> {
  const startedAt = performance.now();
  const ownStart = process.cpuUsage();
  const machineStart = machineBusySeconds();
  const before = await snapshot(groups);
  return {
    async stop() {
      const after = await snapshot(groups);
      const wallS = (performance.now() - startedAt) / 1000;
      const cores: Record<string, number> = {};
      for (const [name, seconds] of after) {
        let used = 0;
        // A process that started during the watch counts from zero.
        for (const [pid, value] of seconds) used += value - (before.get(name)?.get(pid) ?? 0);
        cores[name] = Math.round((used / wallS) * 100) / 100;
      }
      const own = process.cpuUsage(ownStart);
      cores.loadgen = Math.round(((own.user + own.system) / 1e6 / wallS) * 100) / 100;
      const machineEnd = machineBusySeconds();
      if (machineStart !== undefined && machineEnd !== undefined) {
        // What everything else on the shared machine (other processes) took meanwhile.
        const ours = Object.values(cores).reduce((sum, value) => sum + value, 0);
        cores.machine = Math.round(((machineEnd - machineStart) / wallS) * 100) / 100;
        cores.others = Math.max(0, Math.round((cores.machine - ours) * 100) / 100);
      }
      return cores;
    },
  };
}

/** The Postgres backends currently connected to one database. */
export async function backendPids(pool: Pool, database: string): Promise<number[]> {
  const { rows } = await pool.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [
    database,
  ]);
  return rows.map((row) => row.pid);
}
