import { z } from 'zod';
import { PROTOCOL_TAG, PROTOCOLS, SERVICE_TAG, type Tags } from '../well-known-tags.js';
import type { FieldPath } from './path.js';
import type { Violations } from './violations.js';

export const TAG_NAME = /^[a-zA-Z0-9.\-_:/]*$/;
export const TAG_VALUE = /^[a-zA-Z0-9.\-_:]*$/;

/** A map of tags; values must be strings (YAML `version: 1` is a number and is refused). */
export const tagsSchema = z.record(z.string(), z.string({ error: 'tag value must be a string' }), {
  error: (iss) => (iss.input === undefined ? 'has to be defined' : 'must be an object'),
});

export interface TagRules {
  requireAtLeastOneTag?: boolean;
  /** `mandatory tag "kuma.io/service" is missing` */
  requireService?: boolean;
  /** Only `kuma.io/service` may appear (destinations of TrafficRoute, Retry, Timeout, ...). */
  onlyService?: boolean;
  /** Selector semantics: a value may be `*`. */
  selector?: boolean;
  /** `kuma.io/protocol` must be present and one of these. */
  protocols?: readonly string[];
}

/** Kuma's checks of a tag map (selector or tags), keys visited in sorted order. */
export function validateTags(path: FieldPath, tags: Tags, v: Violations, rules: TagRules = {}): void {
  const keys = Object.keys(tags).sort();
  if (rules.requireAtLeastOneTag && keys.length === 0) v.add(path, 'must have at least one tag');
  if (rules.onlyService && (keys.length !== 1 || !(SERVICE_TAG in tags))) {
    v.add(path, `must consist of exactly one tag ${JSON.stringify(SERVICE_TAG)}`);
  }
  if (rules.protocols) validateRequiredProtocol(path, tags, rules.protocols, v);
  for (const key of keys) {
    const value = tags[key] ?? '';
    if (key === '') v.add(path, 'tag name must be non-empty');
    else if (!TAG_NAME.test(key)) v.add(path.key(key), 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores');
    if (rules.onlyService && key !== SERVICE_TAG) v.add(path.key(key), `tag ${JSON.stringify(key)} is not allowed`);
    if (value === '') v.add(path.key(key), 'tag value must be non-empty');
    else if (rules.selector) {
      if (value !== '*' && !TAG_VALUE.test(value)) {
        v.add(path.key(key), 'tag value must consist of alphanumeric characters, dots, dashes and underscores or be "*"');
      }
    } else if (!TAG_VALUE.test(value)) {
      v.add(path.key(key), 'tag value must consist of alphanumeric characters, dots, dashes and underscores');
    }
  }
  if (rules.requireService && !(SERVICE_TAG in tags)) v.add(path, `mandatory tag ${JSON.stringify(SERVICE_TAG)} is missing`);
}

function validateRequiredProtocol(path: FieldPath, tags: Tags, protocols: readonly string[], v: Violations): void {
  const value = tags[PROTOCOL_TAG];
  if (value === undefined) v.add(path, 'protocol must be specified');
  else if (!protocols.includes(value)) v.add(path.key(PROTOCOL_TAG), `must be one of the [${protocols.join(', ')}]`);
}

export const ALLOWED_PROTOCOLS_HINT = `Allowed values: ${[...PROTOCOLS].sort().join(', ')}`;

/** If `kuma.io/protocol` is set it must be a known protocol (inbounds, external services). */
export function validateProtocolValue(path: FieldPath, tags: Tags, v: Violations): void {
  const value = tags[PROTOCOL_TAG];
  if (value !== undefined && !(PROTOCOLS as readonly string[]).includes(value)) {
    v.add(path.key(PROTOCOL_TAG), `tag ${JSON.stringify(PROTOCOL_TAG)} has an invalid value ${JSON.stringify(value)}. ${ALLOWED_PROTOCOLS_HINT}`);
  }
}
