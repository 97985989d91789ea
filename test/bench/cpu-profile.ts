/** Self time per function (and per file, and inclusive time of the project's functions) of a V8 CPU profile window. */
import { basename } from 'node:path';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  readonly fn: string;
  readonly selfMs: number;
  readonly percent: number;
}

/** Self time per function over the samples inside [from, to] (CLOCK_MONOTONIC ns; V8 ticks are the same clock in µs). */
export function topSelfTime(
  profile: CpuProfile,
  from: bigint,
  to: bigint,
  top = 10,
): { entries: ProfileEntry[]; files: ProfileEntry[]; inclusive: ProfileEntry[]; totalMs: number; windowed: boolean } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: CpuProfileNode): string => {
    const { functionName, url, lineNumber } = n.callFrame;
    return `${functionName || '(anonymous)'} ${url ? `${basename(url)}:${lineNumber + 1}` : ''}`.trim();
  };
  const fromUs = Number(from / 1000n);
  const toUs = Number(to / 1000n);
  const windowed = fromUs >= profile.startTime && toUs <= profile.endTime;
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (windowed && (t < fromUs || t > toUs)) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(profile.samples[i] ?? -1);
    if (!node) continue;
    const { functionName, url } = node.callFrame;
    const key = label(node);
    self.set(key, (self.get(key) ?? 0) + dt);
    // Inclusive time of the project's own functions (each counted once per sample, however deep the recursion).
    const onStack = new Set<string>();
    for (let f: CpuProfileNode | undefined = node; f; f = byId.get(parent.get(f.id) ?? -1)) {
      if (f.callFrame.url.includes('/dist/src/')) onStack.add(label(f));
    }
    for (const k of onStack) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    const file = url ? fileLabel(url) : functionName.startsWith('(') ? functionName : '(native)';
    byFile.set(file, (byFile.get(file) ?? 0) + dt);
    total += dt;
  }
  const rank = (m: Map<string, number>): ProfileEntry[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, us]) => ({ fn, selfMs: us / 1000, percent: (100 * us) / (total || 1) }));
  return { entries: rank(self), files: rank(byFile), inclusive: rank(inclusive), totalMs: total / 1000, windowed };
}

/** `src/xds/server/ads-stream.js` for the project's files, `@grpc/grpc-js/.../http2.js` style for packages, `node:x` for core. */
function fileLabel(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (pkg) return `${pkg[1]}: ${basename(pkg[2] ?? '')}`;
  const own = /\/dist\/(.*)$/.exec(url);
  if (own) return own[1] ?? url;
  return url;
}


/** Prints the top self time, self time by file and inclusive time of `profile` over [from, to]. */
export function printProfile(title: string, profile: CpuProfile, from: bigint, to: bigint, top = 15): void {
  const { entries, files, inclusive, totalMs, windowed } = topSelfTime(profile, from, to, top);
  console.log(`\n${title} (${windowed ? '' : 'WHOLE profile: window not inside it, '}${totalMs.toFixed(0)} ms sampled)`);
  console.table(entries.map((e) => ({ function: e.fn, 'self ms': e.selfMs.toFixed(1), '%': e.percent.toFixed(1) })));
  console.log('  self time by file');
  console.table(files.map((e) => ({ file: e.fn, 'self ms': e.selfMs.toFixed(1), '%': e.percent.toFixed(1) })));
  console.log("  inclusive time of the project's functions");
  console.table(inclusive.map((e) => ({ function: e.fn, 'total ms': e.selfMs.toFixed(1), '%': e.percent.toFixed(1) })));
}
