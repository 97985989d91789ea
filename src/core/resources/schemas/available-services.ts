import { z } from 'zod';
import { SERVICE_TAG } from '../well-known-tags.js';
import { stringSchema, uint32Schema } from './numbers.js';
import type { FieldPath } from './path.js';
import { tagsSchema, validateTags } from './tags.js';
import type { Violations } from './violations.js';

/** What a zone ingress offers other zones: one entry per (mesh, tag set) with its instance count. */
export const availableServiceSchema = z.object({
  tags: tagsSchema.default({}),
  instances: uint32Schema.optional(),
  mesh: stringSchema.optional(),
});
export type AvailableService = z.output<typeof availableServiceSchema>;

export function validateAvailableServices(path: FieldPath, services: readonly AvailableService[], v: Violations): void {
  services.forEach((svc, i) => {
    const tags = path.index(i).field('tags');
    if (!(SERVICE_TAG in svc.tags)) v.add(tags.key(SERVICE_TAG), 'cannot be empty');
    validateTags(tags, svc.tags, v);
  });
}
