import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ResourceTypeName } from './model.js';
import { isResourceTypeName, resourceTypes, typeDescriptor, typeNameOf, type DescriptorOf, type SpecOf } from './registry.js';
import { specSchemas } from './schemas/index.js';

describe('resource type registry', () => {
  it('has one descriptor per schema, in the schemas order, each under its own name', () => {
    expect(resourceTypes.map((t) => t.name)).toEqual(Object.keys(specSchemas));
    for (const t of resourceTypes) expect(typeDescriptor(t.name)).toBe(t);
  });

  it('types a descriptor by its name: its schema outputs that type’s spec', () => {
    const mesh = typeDescriptor('Mesh');
    expectTypeOf(mesh).toEqualTypeOf<DescriptorOf<'Mesh'>>();
    expectTypeOf(mesh.name).toEqualTypeOf<'Mesh'>();
    expectTypeOf(mesh.schema.parse({})).toEqualTypeOf<SpecOf<'Mesh'>>();
    expect(mesh.schema.parse({})).toEqual(specSchemas.Mesh.parse({}));
    expectTypeOf(typeNameOf(typeDescriptor('Zone'))).toEqualTypeOf<'Zone'>();
    expect(typeNameOf(typeDescriptor('Zone'))).toBe('Zone');
    expect(typeNameOf('Zone')).toBe('Zone');
  });

  it('knows no type by an inherited property name', () => {
    expect(isResourceTypeName('toString')).toBe(false);
    expect(isResourceTypeName('Dataplane')).toBe(true);
    expect(() => typeDescriptor('toString' as ResourceTypeName)).toThrow('unknown resource type toString');
  });
});
