/**
 * How DNS names map to `kuma.io/service` names (Kuma pkg/dns/resolver):
 * - names are case-insensitive (ASCII), compared lowercased, without the trailing dot;
 * - `<service>.<domain>` is looked up as-is, then with inner dots rewritten to `_`, so
 *   `backend.kuma-demo.svc.8080.mesh` finds the service `backend_kuma-demo_svc_8080`.
 */

/** Lowercase, without leading/trailing dots: ` Mesh. ` -> `mesh`. */
export function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/^\.+|\.+$/g, '');
}

/**
 * `qname` (lowercase, no trailing dot) relative to `domain`: `backend` for `backend.mesh`,
 * '' for the domain itself, undefined when the name is outside the domain.
 */
export function relativeName(qname: string, domain: string): string | undefined {
  if (qname === domain) return '';
  if (qname.length > domain.length + 1 && qname.endsWith(domain) && qname.charCodeAt(qname.length - domain.length - 1) === 46 /* . */) {
    return qname.slice(0, qname.length - domain.length - 1);
  }
  return undefined;
}

/** The table keys tried for a relative name, in order. */
export function lookupKeys(relative: string): string[] {
  return relative.includes('.') ? [relative, relative.replaceAll('.', '_')] : [relative];
}

/** The table key of a service name. */
export function serviceKey(service: string): string {
  return service.toLowerCase();
}
