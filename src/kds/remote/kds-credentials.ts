import { readFileSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import type { Config } from '../../config/schema.js';
import { ConfigError, errorMessage } from '../../core/errors.js';
import type { GlobalAddress } from './global-address.js';

/**
 * The zone's channel credentials to the global: plaintext for `grpc://`; for `grpcs://` TLS verified against
 * `multizone.remote.kds.rootCaFile` (Kuma's KUMA_MULTIZONE_ZONE_KDS_ROOT_CA_FILE) or, without one, the system
 * roots (Kuma 2.3+); `tlsSkipVerify` turns verification off, as Kuma's flag does.
 */
export function kdsChannelCredentials(address: GlobalAddress, remote: Config['multizone']['remote']): ChannelCredentials {
  if (!address.tls) return credentials.createInsecure();
  let roots: Buffer | null = null;
  if (remote.kds.rootCaFile) {
    try {
      roots = readFileSync(remote.kds.rootCaFile);
    } catch (err) {
      throw new ConfigError(`cannot read multizone.remote.kds.rootCaFile "${remote.kds.rootCaFile}": ${errorMessage(err)}`);
    }
  }
  if (!remote.kds.tlsSkipVerify) return credentials.createSsl(roots);
  return credentials.createSsl(roots, null, null, { rejectUnauthorized: false, checkServerIdentity: (_host: string, _cert: PeerCertificate) => undefined });
}

