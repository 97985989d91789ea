import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';

// @peculiar/x509 builds and parses the DER; node:crypto's WebCrypto does the key work off the main thread.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const subtle = webcrypto.subtle;
/** Kuma's allowed clock skew: certificates start this long before "now". */
const CLOCK_SKEW_MS = 10_000;
const RSA_SIGN = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
/** Workload keys: ECDSA P-256 (accepted by Envoy's BoringSSL and gRPC), ~30x cheaper to generate than RSA 2048. */
const WORKLOAD_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export class CertificateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateError';
  }
}

/** A CA ready to sign: its certificate (PEM) and its private key imported for signing. */
export interface CaSigner {
  readonly certPem: string;
  readonly subject: string;
  readonly notAfter: Date;
  readonly key: webcrypto.CryptoKey;
  readonly algorithm: webcrypto.RsaHashedImportParams | webcrypto.EcdsaParams;
  /** The CA's subject, parsed once: every workload certificate names it as its issuer. */
  readonly issuerName: x509.Name;
  /** What every workload certificate of this CA carries besides its SANs (encoded once per CA, not per certificate). */
  readonly leafExtensions: readonly x509.Extension[];
}

export interface KeyPairPem {
  readonly certPem: string;
  readonly keyPem: string;
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive
  return bytes.toString('hex');
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/**
 * Kuma's builtin root CA: self-signed, RSA `rsaBits`, subject `CN=<mesh>, O=Kuma, OU=Mesh`, URI SAN
 * `spiffe://<mesh>`, valid from now (minus the clock skew) for `lifetimeMs`.
 */
export async function generateRootCa(mesh: string, rsaBits: number, lifetimeMs: number, now = new Date()): Promise<KeyPairPem> {
  const alg = { ...RSA_SIGN, publicExponent: new Uint8Array([1, 0, 1]), modulusLength: rsaBits };
  const keys = await subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [mesh] }, { O: ['Kuma'] }, { OU: ['Mesh'] }],
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + lifetimeMs),
    keys,
    signingAlgorithm: RSA_SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `spiffe://${mesh}` }]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/**
 * Imports a CA certificate and its private key (PKCS#8, PKCS#1 or SEC1 PEM; RSA or EC P-256/P-384).
 * Refuses a certificate that is not a CA or a key that does not belong to it, with the reason.
 */
export async function loadCaSigner(certPem: string, keyPem: string): Promise<CaSigner> {
  let cert: NodeX509;
  try {
    cert = new NodeX509(certPem);
  } catch (err) {
    throw new CertificateError(`CA certificate is not a valid PEM X.509 certificate: ${(err as Error).message}`);
  }
  if (!cert.ca) throw new CertificateError('CA certificate is not a CA (basicConstraints CA:TRUE is missing)');
  let nodeKey;
  try {
    nodeKey = createPrivateKey(keyPem);
  } catch (err) {
    throw new CertificateError(`CA private key is not a valid PEM private key: ${(err as Error).message}`);
  }
  if (!cert.checkPrivateKey(nodeKey)) throw new CertificateError('CA private key does not match the CA certificate');
  const der = nodeKey.export({ format: 'der', type: 'pkcs8' });
  let algorithm: webcrypto.RsaHashedImportParams | webcrypto.EcdsaParams;
  let importAlg: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;
  if (nodeKey.asymmetricKeyType === 'rsa') {
    algorithm = { ...RSA_SIGN };
    importAlg = { ...RSA_SIGN };
  } else if (nodeKey.asymmetricKeyType === 'ec') {
    const curve = nodeKey.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : undefined;
    if (!namedCurve) throw new CertificateError(`CA key curve ${String(curve)} is not supported (P-256 or P-384)`);
    algorithm = { name: 'ECDSA', hash: namedCurve === 'P-256' ? 'SHA-256' : 'SHA-384' };
    importAlg = { name: 'ECDSA', namedCurve };
  } else {
    throw new CertificateError(`CA key type ${String(nodeKey.asymmetricKeyType)} is not supported (RSA or EC)`);
  }
  const key = await subtle.importKey('pkcs8', der, importAlg, false, ['sign']);
  const issuer = new x509.X509Certificate(certPem);
  return {
    certPem: cert.toString(),
    subject: cert.subject.split('\n').reverse().join(', '),
    notAfter: new Date(cert.validTo),
    key,
    algorithm,
    issuerName: issuer.subjectName,
    leafExtensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(issuer, false),
    ],
  };
}

/**
 * A workload certificate signed by `ca`: fresh ECDSA P-256 key, empty subject, the given URI SANs
 * (critical, as RFC 5280 wants with an empty subject), server and client auth, valid from now (minus the
 * clock skew) for `lifetimeMs`, never past the CA's own expiry.
 */
export async function issueWorkloadCert(ca: CaSigner, uris: readonly string[], lifetimeMs: number, now = new Date()): Promise<KeyPairPem & { notAfter: Date }> {
  const keys = await subtle.generateKey(WORKLOAD_KEY, true, ['sign', 'verify']);
  const notAfter = new Date(Math.min(now.getTime() + lifetimeMs, ca.notAfter.getTime()));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: '',
    issuer: ca.issuerName,
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: ca.algorithm,
    extensions: [
      ...ca.leafExtensions,
      new x509.SubjectAlternativeNameExtension(
        uris.map((value) => ({ type: 'url' as const, value })),
        true,
      ),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey), notAfter };
}


/**
 * A self-signed server certificate for the control plane's own ports (Kuma's autogenerated `kuma-cp.crt`):
 * CA:TRUE so clients can trust it as their root, server auth, SANs = the given DNS names and IP addresses,
 * valid from now (minus the clock skew) for `lifetimeMs`. ECDSA P-256 (Kuma uses RSA 2048; P-256 is accepted
 * by every client here and is generated in milliseconds at each start).
 */
export async function generateSelfSignedServerCert(dnsNames: readonly string[], ips: readonly string[], lifetimeMs: number, now = new Date()): Promise<KeyPairPem> {
  const keys = await subtle.generateKey(WORKLOAD_KEY, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: ['kuma-control-plane'] }],
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + lifetimeMs),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}
