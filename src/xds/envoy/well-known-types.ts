/** Full names (protobufjs `Type.fullName`) of the protobuf well-known types the Envoy JSON and validation code treats specially. */
export const ANY = '.google.protobuf.Any';
export const DURATION = '.google.protobuf.Duration';
export const TIMESTAMP = '.google.protobuf.Timestamp';
export const STRUCT = '.google.protobuf.Struct';
export const VALUE = '.google.protobuf.Value';
export const LIST_VALUE = '.google.protobuf.ListValue';
export const FIELD_MASK = '.google.protobuf.FieldMask';
/** The wrapper types (`google.protobuf.UInt32Value`...): a scalar in a message, written as the bare scalar in JSON. */
export const WRAPPERS: ReadonlySet<string> = new Set(['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map((w) => `.google.protobuf.${w}Value`));
