// The machine's processes and their parents, from /proc: what the incident steps that act on PostgreSQL as a whole
// (its core, its disk) need to find the postmaster's descendants, backends started later included by inheritance.
import { readdirSync, readFileSync } from 'node:fs';

/** User processes (with a command line; kernel threads have none) and their parents. */
export function processes(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) {
      continue;
    }
    try {
      if (readFileSync(`/proc/${pid}/cmdline`).length === 0) {
        continue;
      }
      // The parent is the 2nd field after the command's closing parenthesis (the command may hold spaces).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone since the listing
    }
  }
  return parents;
}

/** `root` and its descendants. */
export function below(root: number, parents: Map<number, number>): Set<number> {
  const out = new Set<number>([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!out.has(pid) && out.has(parent)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  return out;
}
