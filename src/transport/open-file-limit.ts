import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * This process's soft RLIMIT_NOFILE (Node has no getrlimit): from /proc/self/limits on Linux, else from a
 * shell's `ulimit -Sn` (a child inherits the limit). Undefined when unlimited or unknown.
 */
export function openFileLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (line?.[1]) return parseLimit(line[1]);
  } catch {
    // not Linux: ask a shell
  }
  try {
    return parseLimit(execFileSync('/bin/sh', ['-c', 'ulimit -Sn'], { encoding: 'utf8', timeout: 5000 }).trim());
  } catch {
    return undefined;
  }
}

function parseLimit(text: string): number | undefined {
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
