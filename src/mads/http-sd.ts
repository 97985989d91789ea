import type { MonitoringAssignment } from './assignments.js';

/** Where the same assignments are served in Prometheus' generic HTTP service discovery format. */
export const HTTP_SD_PATH = '/http_sd';

/** Prometheus' strutil.SanitizeLabelName. */
function labelName(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_');
}

/**
 * The assignments as Prometheus `http_sd_configs` reads them (`[{targets, labels}]`), with the labels
 * Prometheus' own kuma_sd_configs gives each target (discovery/xds/kuma.go: `__meta_kuma_mesh`,
 * `__meta_kuma_service`, `__meta_kuma_dataplane`, `__meta_kuma_label_<label>`, `instance`, `__scheme__`,
 * `__metrics_path__`): relabelling rules work the same with either. For a Prometheus built without xDS
 * discovery (Debian's package is).
 */
export function httpSdTargetGroups(assignments: readonly MonitoringAssignment[]): object[] {
  return assignments.flatMap((a) => {
    const common: Record<string, string> = {};
    for (const [k, v] of Object.entries(a.labels)) common[`__meta_kuma_label_${labelName(k)}`] = v;
    return a.targets.map((t) => {
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(t.labels)) labels[`__meta_kuma_label_${labelName(k)}`] = v;
      return {
        targets: [t.address],
        labels: {
          ...labels,
          ...common,
          __meta_kuma_mesh: a.mesh,
          __meta_kuma_service: a.service,
          __meta_kuma_dataplane: t.name,
          instance: t.name,
          __scheme__: t.scheme,
          __metrics_path__: t.metrics_path,
        },
      };
    });
  });
}
