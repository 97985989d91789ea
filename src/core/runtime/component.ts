/**
 * A long-running part of the control plane. The constructor does nothing; `start` does the work and
 * resolves when `signal` aborts (clean stop) or rejects on failure (the runtime restarts it with back-off).
 */
export interface Component {
  readonly name: string;
  /** Runs only on the leader instance (VIP allocator, defaults, GC, KDS client). */
  readonly leaderOnly?: boolean;
  /**
   * Must resolve only after the component is ready to serve (ports bound), and keep running until
   * `signal` aborts. To signal readiness before completion, call `ready()`.
   */
  start(signal: AbortSignal, ready: () => void): Promise<void>;
}
