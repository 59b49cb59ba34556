// Memory of a group of processes from /proc, for the kiosk footprint benchmark. Three figures:
// RSS summed (counts every shared page once per process: an upper bound), PSS summed (each page
// split among every process on the machine that maps it, so it drops when other Chromiums run
// beside), and the group's unique resident memory: the union of the physical pages the processes
// map (/proc/<pid>/pagemap, root only), which is what the group occupies in RAM whatever else runs.
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

const PAGE = 4096;

/** Every process under `root`, itself included. */
export function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command may hold spaces and parentheses: the fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      /* the process ended meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** What a process of the kiosk is: the agent, or Chromium's browser, renderer, GPU… process. */
function kindOf(pid: number, agentPid: number): string {
  if (pid === agentPid) return 'agent';
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const type = /--type=([a-z-]+)/.exec(cmdline)?.[1];
    const utility = /--utility-sub-type=[a-z_]+\.mojom\.([A-Za-z]+)/.exec(cmdline)?.[1];
    return type ? (utility ? `${type}:${utility}` : type) : /chrom/.test(cmdline) ? 'browser' : 'other';
  } catch {
    return 'gone';
  }
}

export interface Memory {
  pss: number;
  rss: number;
  processes: number;
  /** PSS by kind of process, MiB. */
  byKind: Record<string, number>;
  /** How many processes of each kind. */
  countByKind: Record<string, number>;
  /** The physical pages of all the processes, each counted once, MiB; null without access. */
  unique: number | null;
  /**
   * The part of `unique` that maps files: program code and data (Chromium's binary alone is
   * 160-280 MB of it, more when other Chromiums on the machine keep more of it in the page cache,
   * which fault-around then maps), libraries, fonts. The rest is the processes' own memory.
   */
  uniqueFiles: number | null;
}

/** PSS and RSS summed over the processes, and their unique resident memory, MiB. */
export function memory(pids: number[], agentPid: number): Memory {
  let pss = 0;
  let rss = 0;
  let processes = 0;
  const byKind: Record<string, number> = {};
  const countByKind: Record<string, number> = {};
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const p = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
      pss += p;
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
      processes++;
      const kind = kindOf(pid, agentPid);
      byKind[kind] = (byKind[kind] ?? 0) + p;
      countByKind[kind] = (countByKind[kind] ?? 0) + 1;
    } catch {
      /* ended meanwhile */
    }
  }
  const u = uniqueResident(pids);
  return {
    pss,
    rss,
    processes,
    byKind,
    countByKind,
    unique: u?.total ?? null,
    uniqueFiles: u?.files ?? null,
  };
}

/**
 * The union of the resident physical pages of the processes, MiB, and the part of it that maps
 * files; null where pagemap is closed.
 */
export function uniqueResident(pids: number[]): { total: number; files: number } | null {
  const frames = new Set<number>();
  const fileFrames = new Set<number>();
  const chunk = Buffer.alloc(8 * 16_384);
  for (const pid of pids) {
    let smaps: string;
    let fd: number;
    try {
      smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
      fd = openSync(`/proc/${pid}/pagemap`, 'r');
    } catch {
      continue;
    }
    try {
      let range: [number, number] | undefined;
      let isFile = false;
      for (const line of smaps.split('\n')) {
        const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+ *(.*)$/.exec(line);
        if (head) {
          range = [parseInt(head[1]!, 16), parseInt(head[2]!, 16)];
          // Shared memory between the processes (/dev/shm, memfd) is theirs, not a program file.
          isFile = head[3]!.startsWith('/') && !head[3]!.startsWith('/dev/shm/');
          continue;
        }
        const rss = /^Rss:\s+(\d+) kB/.exec(line);
        if (!rss || !range || rss[1] === '0') continue;
        // Only mappings with resident pages: Chromium reserves terabytes it never touches.
        for (let page = range[0] / PAGE; page < range[1] / PAGE; page += chunk.length / 8) {
          const pages = Math.min(chunk.length / 8, range[1] / PAGE - page);
          const got = readSync(fd, chunk, 0, pages * 8, page * 8);
          for (let i = 0; i + 8 <= got; i += 8) {
            const hi = chunk.readUInt32LE(i + 4);
            if (!(hi & 0x80000000)) continue; // not present
            const frame = (hi & 0x7fffff) * 2 ** 32 + chunk.readUInt32LE(i);
            // Without CAP_SYS_ADMIN the kernel reports frame 0 for every page.
            if (frame === 0) return null;
            frames.add(frame);
            if (isFile) fileFrames.add(frame);
          }
        }
      }
    } catch {
      /* the process ended meanwhile */
    } finally {
      closeSync(fd);
    }
  }
  return { total: (frames.size * PAGE) / 2 ** 20, files: (fileFrames.size * PAGE) / 2 ** 20 };
}
