import protobuf from 'protobufjs';

type Msg = Record<string, unknown>;

const own = (m: Msg, field: string): boolean => Object.prototype.hasOwnProperty.call(m, field) && m[field] !== null && m[field] !== undefined;

/**
 * Go's proto.Merge (what Kuma's `patch` does) on decoded protobufjs messages: every field set in `src` is
 * merged into `dst`: scalars and bytes replace, repeated fields append, maps replace per key, messages merge
 * recursively, and a oneof member set in `src` replaces another member set in `dst`. "Set" is "on the wire":
 * decode `src` from bytes, so proto3 zero values (which Go's Merge skips too) are not set. Mutates `dst`.
 */
export function protoMerge(type: protobuf.Type, dst: Msg, src: Msg): void {
  for (const field of type.fieldsArray) {
    if (!own(src, field.name)) continue;
    const value = src[field.name];
    if (field.map) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the compiler needs it: spreading an unknown is TS2698
      dst[field.name] = { ...(own(dst, field.name) ? (dst[field.name] as Msg) : {}), ...(value as Msg) };
      continue;
    }
    if (field.repeated) {
      const items = value as unknown[];
      if (items.length > 0) dst[field.name] = [...(own(dst, field.name) ? (dst[field.name] as unknown[]) : []), ...items];
      continue;
    }
    if (field.partOf) for (const other of field.partOf.fieldsArray) if (other !== field) delete dst[other.name];
    field.resolve();
    const t = field.resolvedType;
    if (t instanceof protobuf.Type && own(dst, field.name)) protoMerge(t, dst[field.name] as Msg, value as Msg);
    else dst[field.name] = value;
  }
}
