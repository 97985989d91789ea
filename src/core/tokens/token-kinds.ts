/**
 * The vocabulary of token requests, shared by the issuers (this folder) and kumactl's flags: a constant
 * module with no imports, so a client can use it without loading signing or validation code.
 */

/** A data-plane token's `type` claim: the kind of proxy it authenticates. */
export const PROXY_TYPES = ['dataplane', 'ingress', 'egress'] as const;
export type ProxyType = (typeof PROXY_TYPES)[number];

/** `cp`: a zone control plane on the global's KDS port (Kong Mesh's scope); `ingress`/`egress`: zone proxies (Kuma). */
export const ZONE_SCOPES = ['cp', 'ingress', 'egress'] as const;
