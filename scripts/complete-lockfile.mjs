#!/usr/bin/env node
/**
 * The npm registry reachable from our machines serves rollup's Linux x64 binary package but answers 404
 * for its other platform packages, so `npm install` leaves them out of package-lock.json and `npm ci` then
 * refuses the lock as "out of sync" (Missing: @rollup/rollup-android-arm-eabi@ ...). This adds a lock
 * entry (name, version, os/cpu/libc, optional) for each missing platform package; npm never installs them
 * on Linux x64, it only needs them listed. Run after any `npm install` that rewrites the lock:
 *   node scripts/complete-lockfile.mjs
 */
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
const PLATFORM = /-(android|darwin|freebsd|linux|openbsd|openharmony|win32)-([a-z0-9]+)(?:-(gnu|musl|gnueabihf|musleabihf|msvc|eabi))?$/;

let added = 0;
for (const meta of Object.values(packages)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const path = `node_modules/${dep}`;
    const m = PLATFORM.exec(dep);
    if (packages[path] || !m || !/^\d+\.\d+\.\d+/.test(version)) continue;
    const [, os, cpu, abi] = m;
    const libc = abi === 'gnu' || abi === 'gnueabihf' ? ['glibc'] : abi === 'musl' || abi === 'musleabihf' ? ['musl'] : undefined;
    packages[path] = { version, cpu: [cpu], dev: meta.dev ?? false, ...(libc ? { libc } : {}), optional: true, os: [os] };
    added++;
  }
}
const sorted = Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en')));
lock.packages = Object.fromEntries(sorted);
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform entr${added === 1 ? 'y' : 'ies'}`);
