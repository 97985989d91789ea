import { readFile } from 'node:fs/promises';
import { errorMessage } from '../../core/errors.js';

/** The zone token this zone CP presents to the global: inline config, else the file (re-read at every connect, so it can be rotated). */
export async function zoneToken(auth: { tokenInline: string; tokenPath: string }): Promise<string> {
  if (auth.tokenInline.trim() !== '') return auth.tokenInline.trim();
  if (auth.tokenPath === '') return '';
  try {
    return (await readFile(auth.tokenPath, 'utf8')).trim();
  } catch (err) {
    throw new Error(`cannot read the zone token file ${auth.tokenPath}: ${errorMessage(err)}`, { cause: err });
  }
}
