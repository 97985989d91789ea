import { execFile } from 'node:child_process';

/**
 * Runs a Debian DNS client (`dig`, `kdig`) and returns its stdout. A missing tool fails the test with
 * the fix instead of skipping it (scripts/install-test-deps.sh installs them).
 */
export function runDnsTool(tool: 'dig' | 'kdig', args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error(`${tool} is not installed: run scripts/install-test-deps.sh (Debian packages dnsutils, knot-dnsutils)`));
      } else if (err && !stdout) reject(new Error(`${tool} ${args.join(' ')} failed: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

/** `dig @127.0.0.1 -p PORT ...args` with retries off and a short timeout. */
export function dig(port: number, ...args: string[]): Promise<string> {
  return runDnsTool('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=2', ...args]);
}

export function kdig(port: number, ...args: string[]): Promise<string> {
  return runDnsTool('kdig', ['@127.0.0.1', '-p', String(port), '+retry=0', '+time=2', ...args]);
}

/** The rcode from a dig/kdig header line (`status: NOERROR,` or `status: NXDOMAIN;`). */
export function statusOf(out: string): string | undefined {
  return /status: ([A-Z]+)/.exec(out)?.[1];
}

/** Answer-section A records as [name, ttl, address]; owner names lowercased. */
export function aRecords(out: string): [string, number, string][] {
  return [...out.matchAll(/^(\S+)\s+(\d+)\s+IN\s+A\s+(\d+\.\d+\.\d+\.\d+)\s*$/gm)].map((m) => [m[1]!.toLowerCase(), Number(m[2]), m[3]!]);
}
