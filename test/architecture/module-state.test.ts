import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleState, productionModuleState } from './module-state.js';

const ROOT = join(import.meta.dirname, '../..');

/**
 * The module-level state production code may keep (issue 8 point 5: metrics registries, loggers and memo
 * caches are passed in through the runtime, so two control planes in one process share none of them).
 * Each entry is `file name`, with why it is not per control plane.
 */
const ALLOWED: Readonly<Record<string, string>> = {
  'src/core/logging.ts root': 'the process default logger, configured once by the CLI; a runtime may take its own root (buildRuntime options.log)',
  'src/core/logging.ts settings': 'the level and format of that process default logger',
  'src/core/version.ts cached': 'the package version, read once',
  'src/dns/udp-worker.ts log': 'worker thread entry: every DNS server starts its own thread, with its own module instance',
  'src/dns/udp-worker.ts counts': 'worker thread entry (see log)',
  'src/dns/udp-worker.ts flushing': 'worker thread entry (see log)',
  'src/grpc/ads-codec.ts sotwFrames': 'framing of immutable encoded bytes, keyed weakly by those bytes',
  'src/grpc/ads-codec.ts deltaFrames': 'framing of immutable encoded bytes, keyed weakly by those bytes',
  'src/grpc/discovery-service.ts definition': 'the ADS service definition decoded from the protos, immutable',
  'src/kds/kds-proto.ts cached': 'the KDS message types decoded from the protos, immutable',
  'src/mads/mads-proto.ts assignmentType': 'the MADS message type decoded from the protos, immutable',
  'src/mads/mads-proto.ts service': 'the MADS service definition decoded from the protos, immutable',
  'src/xds/envoy/protos.ts cached': 'the Envoy protobuf root decoded from the protos, immutable',
  'src/core/tokens/signing-keys.ts parsed': 'keys parsed from immutable Secret objects, keyed weakly by them',
  'src/dns/udp-worker.ts table': 'worker thread entry (see log)',
  'src/dns/udp-worker.ts responder': 'worker thread entry (see log)',
  'src/plugins/store/sqlite/fixtures/write-burst.ts store': 'a script the SQLite tests run as its own process (its whole program)',
  'src/xds/cache/resource-group.ts ResourceGroup.EMPTY': 'the empty group: its resources never change; its only state is memos (framed chunks, TypeMemo answers) derived from that content, the same for every control plane in the process',
  'src/xds/cache/proxy-snapshot.ts ChangedNames.NONE': 'the empty change set: immutable',
};

describe('module-level state', () => {
  it('finds top-level let, mutable containers, metrics, loggers, class instances, literals and static fields; not constants, read-only tables or state inside functions', () => {
    const text = [
      'let a = 1;',
      'const b = new Map<string, number>();',
      'const c = new Registry();',
      "const d = logger('x');",
      'const e = new Set([1]) as Set<number>;',
      'const f: ReadonlySet<number> = new Set([1]);',
      "const g = ['x'] as const;",
      'export function h() { let i = 0; const j = new Map(); return [i, j]; }',
      'class K { private readonly l = new Map(); }',
      "const m = ['x'];",
      'const n = { a: 1 };',
      'const o: Options = { a: 1 };',
      'const p: Readonly<Options> = { a: 1 };',
      'const q: readonly string[] = [];',
      'const r: ReadonlyArray<string> = [];',
      'const s = { a: 1 } as const;',
      'const t = new Cache();',
      'const u = new TextEncoder();',
      'export class V { static count = 0; static readonly table = new Map(); static readonly NAME = "v"; static readonly EMPTY = new V(); static readonly list: readonly number[] = []; }',
      'const w = 1 + 2;',
    ].join('\n');
    expect(moduleState('x.ts', text).map((s) => `${s.line} ${s.name} ${s.kind}`)).toEqual([
      '1 a let',
      '2 b new Map',
      '3 c new Registry',
      '4 d logger()',
      '5 e new Set',
      '10 m [] literal',
      '11 n {} literal',
      '12 o {} literal',
      '17 t new Cache',
      '19 V.count static',
      '19 V.table static readonly new Map',
      '19 V.EMPTY static readonly new V',
    ]);
  });

  it('production code keeps none beyond the allowed list', () => {
    const found = productionModuleState(ROOT, 'src').map((s) => `${s.file} ${s.name}`);
    expect(found.filter((k) => !(k in ALLOWED)).map((k) => `${k}: module-level mutable state (pass it in through the runtime)`)).toEqual([]);
    // The list stays true: an entry whose state is gone is removed.
    expect(Object.keys(ALLOWED).filter((k) => !found.includes(k))).toEqual([]);
  });
});
