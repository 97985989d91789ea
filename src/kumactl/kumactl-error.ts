/**
 * kumactl's exit codes. 0 is success; every failure prints one line on stderr and exits with one of these.
 */
export const EXIT = {
  /** The control plane answered with an error (validation, not found, read-only...). */
  refused: 1,
  /** The command line or an input file is wrong; nothing was sent. */
  usage: 2,
  /** The control plane could not be reached or did not answer like a kuma-cp API. */
  unreachable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure kumactl reports in one line and turns into an exit code. */
export class KumactlError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** The API's HTTP status, when the API refused. */
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'KumactlError';
  }
}

export const usageError = (message: string): KumactlError => new KumactlError(message, EXIT.usage);
