/** A certificate chain and its private key (PEM), as a TLS server presents them. */
export interface TlsMaterial {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Node's TLS server options for `material`: TLS 1.2 at least, as Kuma's default `general.tlsMinVersion`. */
export function tlsServerOptions(material: TlsMaterial): { key: string; cert: string; minVersion: 'TLSv1.2' } {
  return { key: material.keyPem, cert: material.certPem, minVersion: 'TLSv1.2' };
}
