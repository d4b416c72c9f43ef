import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();

// A test run that dies (a failed assertion, Ctrl+C) must not leave code-server, its extension
// host or tsserver behind: kill every group we started when this process exits.
process.on('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of live) killGroup(child, 'SIGKILL');
    process.exit(130);
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Spawns a command as the leader of its own process group, so stopping it stops its children too. */
export function spawnGroup(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGTERM to the whole group, then SIGKILL if it has not exited within `graceMs`. */
export async function stopGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, 'SIGKILL'); // the leader is gone; its children may not be
    live.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => { killGroup(child, 'SIGKILL'); }, graceMs);
  await exited;
  clearTimeout(timer);
  killGroup(child, 'SIGKILL');
  live.delete(child);
}
