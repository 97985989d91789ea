import { isKumaPlaceholder, KUMA_PLACEHOLDER_PATTERN, type KumaPlaceholder } from '../../core/resources/schemas/access-log-format.js';
import { anyOf, type EnvoyObject } from './encode.js';

/**
 * Kuma's default access log formats (pkg/xds/envoy/listeners/v3/http_access_log_configurer.go and
 * network_access_log_configurer.go), used when a logging backend has no `format`.
 */
export const DEFAULT_HTTP_ACCESS_LOG_FORMAT =
  '[%START_TIME%] %KUMA_MESH% "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%KUMA_SOURCE_SERVICE%" "%KUMA_DESTINATION_SERVICE%" "%KUMA_SOURCE_ADDRESS_WITHOUT_PORT%" "%UPSTREAM_HOST%"';
export const DEFAULT_TCP_ACCESS_LOG_FORMAT =
  '[%START_TIME%] %RESPONSE_FLAGS% %KUMA_MESH% %KUMA_SOURCE_ADDRESS_WITHOUT_PORT%(%KUMA_SOURCE_SERVICE%)->%UPSTREAM_HOST%(%KUMA_DESTINATION_SERVICE%) took %DURATION%ms, sent %BYTES_SENT% bytes, received: %BYTES_RECEIVED% bytes';

/**
 * `format` with every Kuma placeholder replaced by its value (Kuma's Interpolate), ending in one newline as
 * Kuma's access log lines do. Envoy's own commands (`%START_TIME%`, `%REQ(...)%`...) are left for Envoy.
 */
export function expandKumaPlaceholders(format: string, values: Readonly<Partial<Record<KumaPlaceholder, string>>>): string {
  const expanded = format.replace(KUMA_PLACEHOLDER_PATTERN, (whole, name: string) => (isKumaPlaceholder(name) ? (values[name] ?? '') : whole));
  return expanded.endsWith('\n') ? expanded : `${expanded}\n`;
}

/** `envoy.access_loggers.file`: lines in the text format (placeholders already expanded) appended to `path`. */
export function fileAccessLog(path: string, format: string): EnvoyObject {
  return {
    name: 'envoy.access_loggers.file',
    typed_config: anyOf('envoy.extensions.access_loggers.file.v3.FileAccessLog', {
      path,
      log_format: { text_format_source: { inline_string: format } },
    }),
  };
}
