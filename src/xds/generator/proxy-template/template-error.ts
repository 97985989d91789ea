/**
 * A ProxyTemplate that cannot be applied to a proxy: a value that does not decode as its Envoy type, or a
 * resource it adds or changes that Envoy would reject (strict decoding, validate.rules). The proxy keeps
 * the configuration it had.
 */
export class ProxyTemplateError extends Error {
  constructor(
    readonly template: string,
    readonly mesh: string,
    readonly reason: string,
  ) {
    super(`ProxyTemplate "${template}" of mesh "${mesh}" was not applied: ${reason}`);
    this.name = 'ProxyTemplateError';
  }
}

/** A failure inside one modification or raw resource, located by `where` (e.g. `modifications[1].cluster`). */
export class TemplateStepError extends Error {
  constructor(
    readonly where: string,
    reason: string,
  ) {
    super(`${where}: ${reason}`);
    this.name = 'TemplateStepError';
  }
}
