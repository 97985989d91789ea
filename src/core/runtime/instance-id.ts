import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** `<hostname>-<pid>-<random>`: unique per process, readable in insights. */
export function newInstanceId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
}
