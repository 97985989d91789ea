import * as grpc from '@grpc/grpc-js';
import { BadRequestError, NotImplementedError } from '../core/errors.js';
import type { Logger } from '../core/logging.js';
import type { DeltaCall, DiscoveryRequest, DiscoveryResponse, SotwCall } from '../grpc/discovery-service.js';
import { toGrpcStatus, type GrpcError } from '../grpc/status-mapping.js';
import { undecodableReason } from '../grpc/undecodable.js';
import type { AssignmentSnapshot, AssignmentState } from './assignment-state.js';
import { checkTypeUrl } from './discovery-request.js';
import { MADS_TYPE_URL } from './mads-proto.js';

function response(s: AssignmentSnapshot, nonce: string): DiscoveryResponse {
  return { version_info: s.version, resources: s.encoded.map((value) => ({ type_url: MADS_TYPE_URL, value })), type_url: MADS_TYPE_URL, nonce };
}

/** Ends a stream with `st` (grpc-js sends an error emitted on a server stream as its status). */
function failCall(call: SotwCall | DeltaCall, st: GrpcError): void {
  try {
    call.emit('error', Object.assign(new Error(st.details), st));
  } catch {
    // the call is already gone
  }
}

/** Checks a request; a BadRequestError ends the call with INVALID_ARGUMENT. */
function checkRequest(req: DiscoveryRequest): void {
  const undecodable = undecodableReason(req);
  if (undecodable !== undefined) throw new BadRequestError(`undecodable DiscoveryRequest: ${undecodable}`);
  checkTypeUrl(req.type_url ?? '');
}

/**
 * MADS over gRPC (`kuma.observability.v1.MonitoringAssignmentDiscoveryService`), as Kuma serves it:
 * - StreamMonitoringAssignments (SotW): the first request is answered with the current assignments unless it
 *   already holds their version, and every later version is pushed; a request with `error_detail` (NACK) is
 *   logged.
 * - FetchMonitoringAssignments (unary): the current assignments.
 * - DeltaMonitoringAssignments: UNIMPLEMENTED, as in Kuma (SotW only).
 */
export function madsGrpcHandlers(state: AssignmentState, log: Logger): grpc.UntypedServiceImplementation {
  return {
    StreamMonitoringAssignments(call: SotwCall) {
      let nonce = 0;
      let sent: string | undefined;
      let unsubscribe: (() => void) | undefined;
      const push = (s: AssignmentSnapshot): void => {
        if (s.version === sent) return;
        sent = s.version;
        call.write(response(s, String(++nonce)));
      };
      const end = (): void => {
        unsubscribe?.();
        unsubscribe = undefined;
      };
      call.on('data', (req: DiscoveryRequest) => {
        try {
          checkRequest(req);
        } catch (err) {
          end();
          failCall(call, toGrpcStatus(err));
          return;
        }
        if (req.error_detail) log.warn({ client: req.node?.id ?? '', version: req.version_info ?? '', reason: req.error_detail.message ?? '' }, 'a MADS client rejected monitoring assignments');
        if (unsubscribe) return;
        // The first request: the client's version counts as sent (a reconnecting client holding the current one gets nothing).
        sent = req.version_info ?? '';
        unsubscribe = state.subscribe(push);
        push(state.current);
      });
      call.on('end', () => {
        end();
        call.end();
      });
      call.on('cancelled', end);
      call.on('error', end);
    },
    FetchMonitoringAssignments(call: grpc.ServerUnaryCall<DiscoveryRequest, DiscoveryResponse>, callback: grpc.sendUnaryData<DiscoveryResponse>) {
      try {
        checkRequest(call.request);
      } catch (err) {
        callback(toGrpcStatus(err));
        return;
      }
      callback(null, response(state.current, '1'));
    },
    DeltaMonitoringAssignments(call: DeltaCall) {
      failCall(call, toGrpcStatus(new NotImplementedError('delta MADS is not served (as in Kuma): use StreamMonitoringAssignments or the REST fetch')));
    },
  };
}
