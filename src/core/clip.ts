/** Peer-supplied text shortened for logs and error details: at most `max` characters plus a length note. */
export function clip(text: string, max = 256): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;
}
