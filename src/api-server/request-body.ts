import type { IncomingMessage } from 'node:http';
import { parse as parseYaml, YAMLError } from 'yaml';
import { describeYamlError } from '../core/yaml-error.js';
import { BadRequestError, PayloadTooLargeError, errorMessage } from '../core/errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the whole request body, refusing more than `limitBytes`: a declared Content-Length over the limit
 * is refused before reading, an undeclared one as soon as the running total passes it (the rest is not
 * buffered). The socket is then left to the caller, which answers 413 and closes the connection.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.reject(new PayloadTooLargeError(limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, total));
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limitBytes) {
        chunks.length = 0;
        finish(new PayloadTooLargeError(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onError = (err: Error): void => finish(new BadRequestError(`Could not read the request body: ${err.message}`));
    const onAborted = (): void => finish(new BadRequestError('Could not read the request body: the request was aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

type BodyFormat = 'json' | 'yaml';

/** The format a Content-Type names; undefined (absent or anything else, e.g. curl's form default) = sniff. */
export function formatOf(contentType: string | undefined): BodyFormat | undefined {
  const mime = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mime === 'application/json' || mime.endsWith('+json')) return 'json';
  if (['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'].includes(mime)) return 'yaml';
  return undefined;
}

/** Decodes (strict UTF-8) and parses a JSON or YAML body. Any failure is a BadRequestError naming the cause. */
export function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new BadRequestError('Could not parse the request body', [{ field: 'body', message: 'is not valid UTF-8' }]);
  }
  if (text.trim() === '') throw new BadRequestError('Could not parse the request body', [{ field: 'body', message: 'cannot be empty' }]);
  const format = formatOf(contentType) ?? sniff(text);
  let parsed: unknown;
  try {
    parsed = format === 'json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    const why = err instanceof YAMLError ? ` ${describeYamlError(err)}` : `: ${errorMessage(err).split('\n')[0] ?? ''}`;
    throw new BadRequestError('Could not parse the request body', [{ field: 'body', message: `is not valid ${format.toUpperCase()}${why}` }]);
  }
  if (nestsDeeperThan(parsed, MAX_BODY_DEPTH)) {
    throw new BadRequestError('Could not parse the request body', [{ field: 'body', message: `nests deeper than ${MAX_BODY_DEPTH} levels` }]);
  }
  return parsed;
}

/**
 * No Kuma resource nests anywhere near this deep; a body that does (free-form `conf` fields accept anything)
 * would later overflow the stack of whatever serialises it (the store, xDS, KDS), so it is refused up front.
 */
export const MAX_BODY_DEPTH = 64;

/** Iterative, so that the check itself cannot overflow the stack. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, depth] = item;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

function sniff(text: string): BodyFormat {
  const first = text.trimStart()[0];
  return first === '{' || first === '[' ? 'json' : 'yaml';
}
