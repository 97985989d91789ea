/**
 * `Promise.try` (native from Node 22.10; the package supports Node 20): runs `fn` now and settles with its
 * result, or rejects with what it threw. For Promise-returning interfaces implemented by synchronous code
 * (the stores, some REST handlers), so a throw reaches the caller as a rejection, never synchronously.
 */
export function promiseTry<T>(fn: () => T | PromiseLike<T>): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()));
}
