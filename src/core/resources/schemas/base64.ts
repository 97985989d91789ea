/**
 * Base64 as protobuf JSON reads `bytes`: standard or URL-safe alphabet, padding optional.
 */
export function isBase64(s: string): boolean {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(s)) return false;
  const body = s.replace(/=+$/, '');
  if (body.length % 4 === 1) return false;
  return s.length === body.length || s.length % 4 === 0;
}

export const BASE64_MESSAGE = 'must be valid base64';
