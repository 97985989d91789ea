import { ShuttingDownError } from '../../core/errors.js';
import type { AdsHandlers, DeltaCall, SotwCall } from '../../grpc/discovery-service.js';
import { toGrpcStatus, type GrpcError } from '../../grpc/status-mapping.js';
import { AdsStream, type AdsStreamDeps } from './ads-stream.js';
import { DeltaProtocol } from './delta-protocol.js';
import { SotwProtocol } from './sotw-protocol.js';

type AnyStream = { stop(err: GrpcError): Promise<void> };

/** The AggregatedDiscoveryService implementation: one AdsStream per call, tracked for shutdown. */
export class AdsServer {
  private readonly streams = new Set<AnyStream>();

  constructor(private readonly deps: AdsStreamDeps) {}

  handlers(): AdsHandlers {
    return {
      StreamAggregatedResources: (call: SotwCall) => this.track((done) => new AdsStream(call, this.deps, (ctx) => new SotwProtocol(ctx), 'sotw', done)),
      DeltaAggregatedResources: (call: DeltaCall) => this.track((done) => new AdsStream(call, this.deps, (ctx) => new DeltaProtocol(ctx), 'delta', done)),
    };
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** Ends every stream (UNAVAILABLE: clients reconnect elsewhere or later) and waits for their cleanup. */
  async closeAll(details = 'control plane is shutting down'): Promise<void> {
    await Promise.all([...this.streams].map((s) => s.stop(toGrpcStatus(new ShuttingDownError(details)))));
  }

  private track(create: (done: () => void) => AnyStream & { start(): void }): void {
    const stream = create(() => this.streams.delete(stream));
    this.streams.add(stream);
    stream.start();
  }
}
