import type { ProposedChange } from '../../core/inspect/dry-run.js';
import type { ResourceTypeName } from '../../core/resources/model.js';
import { asResourceOf, type ResourceOf } from '../../core/resources/typed-resource.js';
import { policyTypes as POLICY_TYPES } from '../../core/resources/registry.js';
import { withPolicies, type MeshInputs, type PolicyInputs } from '../generator/index.js';

/** `list` with the change applied: the resource of that name replaced, added or removed. */
function apply<N extends ResourceTypeName>(type: N, list: readonly ResourceOf<N>[], change: ProposedChange): ResourceOf<N>[] {
  const existing = list.find((r) => r.meta.name === change.key.name);
  const rest = list.filter((r) => r !== existing);
  if (change.spec === undefined) return rest;
  const now = new Date().toISOString();
  const meta = existing ? { ...existing.meta, version: existing.meta.version + 1, modificationTime: now } : { ...change.key, version: 1, creationTime: now, modificationTime: now };
  // The change's spec is its type's validator output (see ProposedChange): the sanctioned step to a typed resource.
  return [...rest, asResourceOf(type, { type, meta, spec: change.spec })].sort((a, b) => (a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0));
}

/**
 * The generators' inputs of a mesh as they would be after `change`: the same lists with one resource
 * replaced, added or removed. Inputs of types the generators do not read are returned as they are.
 */
export function proposedInputs(inputs: MeshInputs, change: ProposedChange): MeshInputs {
  switch (change.type) {
    case 'Mesh':
      return change.spec === undefined ? inputs : { ...inputs, mesh: asResourceOf('Mesh', { ...inputs.mesh, spec: change.spec }) };
    case 'Dataplane':
      return { ...inputs, dataplanes: apply('Dataplane', inputs.dataplanes, change) };
    case 'ExternalService':
      return { ...inputs, externalServices: apply('ExternalService', inputs.externalServices, change) };
    case 'Secret':
      return { ...inputs, secrets: apply('Secret', inputs.secrets ?? [], change) };
    case 'ZoneIngress':
      return { ...inputs, zoneIngresses: apply('ZoneIngress', inputs.zoneIngresses, change) };
    default:
      if (!POLICY_TYPES.includes(change.type)) return inputs;
      return { ...inputs, policies: withPolicy(inputs.policies, change.type, change) };
  }
}

function withPolicy<N extends ResourceTypeName>(policies: PolicyInputs, type: N, change: ProposedChange): PolicyInputs {
  return withPolicies(policies, type, apply(type, policies[type] ?? [], change));
}
