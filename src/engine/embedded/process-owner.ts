import { readFileSync } from 'node:fs';

/**
 * Who holds an embedded job: a process on this machine, known by its pid and its start time, so a
 * pid reused by another process is not taken for the owner. Linux tells both through /proc; where
 * there is no /proc, only whether the pid exists is known, and callers fall back on the heartbeat.
 */
export type OwnerState = 'alive' | 'stopped' | 'dead' | 'unknown';

/** This process's start time (clock ticks since boot), recorded with its pid when it takes a job. */
export function processStart(pid: number): string | null {
  return statOf(pid)?.start ?? null;
}

/**
 * `dead`: no such process, a zombie (killed, not yet reaped by its parent), or another process
 * under the same pid. `stopped`: alive but suspended (SIGSTOP, Ctrl-Z): it still holds the job, since
 * it would go on writing once continued. `unknown`: the pid exists, but nothing more can be told.
 */
export function ownerState(pid: number, start: string | null): OwnerState {
  if (!hasProc()) return pidExists(pid) ? 'unknown' : 'dead';
  const stat = statOf(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X' || stat.state === 'x') return 'dead';
  if (start !== null && stat.start !== start) return 'dead';
  return stat.state === 'T' || stat.state === 't' ? 'stopped' : 'alive';
}

let procChecked: boolean | undefined;
function hasProc(): boolean {
  return (procChecked ??= statOf(process.pid) !== undefined);
}

/** /proc/<pid>/stat: the state letter and field 22, the start time; the command name may hold spaces and parentheses. */
function statOf(pid: number): { state: string; start: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const start = fields[19];
  return state && start ? { state, start } : undefined;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
