/** An HTTP request path: absolute, no whitespace, no fragment. */
export function isUrlPath(s: string): boolean {
  return s.startsWith('/') && !/[\s#]/.test(s);
}

export const URL_PATH_MESSAGE = 'should be a valid URL Path';
