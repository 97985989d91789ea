import { PreconditionFailedError } from '../../core/errors.js';
import type { AdsHandlers, DeltaCall, SotwCall } from '../../grpc/discovery-service.js';
import { toGrpcStatus } from '../../grpc/status-mapping.js';

export const GLOBAL_REFUSAL = 'data planes cannot connect to a global control plane; connect to a zone (remote) control plane';

/** ADS handlers of a global CP: every stream ends at once with FAILED_PRECONDITION and the reason. */
export function refusingAdsHandlers(onRefused: (peer: string) => void): AdsHandlers {
  const refuse = (call: SotwCall | DeltaCall): void => {
    onRefused(call.getPeer());
    call.on('error', () => undefined);
    call.emit('error', { ...toGrpcStatus(new PreconditionFailedError(GLOBAL_REFUSAL)), metadata: undefined });
  };
  return { StreamAggregatedResources: refuse, DeltaAggregatedResources: refuse };
}
