/**
 * Which control-plane instances are alive. Subscriptions (DataplaneInsight, ZoneInsight) name the instance that
 * holds the stream; one left open by an instance that is no longer alive (crashed, killed) is closed by the others.
 */
export interface InstanceRegistry {
  /** Ids of the instances alive now; always includes this one. */
  alive(): Promise<ReadonlySet<string>>;
}

/** A store served by one process (SQLite, memory): every other instance id is a previous run, so not alive. */
export function singleInstance(instanceId: string): InstanceRegistry {
  const alive: ReadonlySet<string> = new Set([instanceId]);
  return { alive: () => Promise.resolve(alive) };
}

/** The instances alive now as `rt` sees them. */
export function aliveInstances(rt: { readonly instanceId: string; readonly instances?: InstanceRegistry }): Promise<ReadonlySet<string>> {
  return (rt.instances ?? singleInstance(rt.instanceId)).alive();
}
