import { createRequire } from "node:module";
import type * as Arrow from "apache-arrow" with { "resolution-mode": "require" };
import { tcli, type T } from "./tcli.js";

/**
 * Spark's column-based results re-encoded as a Databricks SQL warehouse answers a driver that asks
 * for Arrow with native types: an IPC schema message in the metadata and IPC record batches in each
 * fetch. TIMESTAMP (UTC), DATE and DECIMAL travel natively, so the driver answers Date and number as
 * it does for a warehouse. Lists, maps and structs travel as JSON text, which the driver parses into
 * the same arrays and objects a warehouse's native values give. Spark's text of one is not JSON when
 * a string inside holds a quote (e.g. DESCRIBE HISTORY's operationParameters); such a value goes out
 * as a JSON string of Spark's text, so the caller gets a string where it expects an object, never
 * the empty value the driver (like the HiveServer2 client) makes of text it cannot parse. Tests that
 * compare such values read them through to_json.
 */
export interface ArrowResult {
  readonly schema: Arrow.Schema;
  /** The IPC schema message: TGetResultSetMetadataResp.arrowSchema. */
  readonly schemaBytes: Buffer;
  /** Each column's type as Spark gave it. */
  readonly sparkTypes: readonly (number | undefined)[];
}

type Column = readonly unknown[];
const ID = tcli.TTypeId;
const COMPLEX = new Set<number>([ID.ARRAY_TYPE, ID.MAP_TYPE, ID.STRUCT_TYPE]);
/** The CommonJS build, the one the driver reads the bytes with (its ESM build has no types here). */
const arrow = createRequire(import.meta.url)("apache-arrow") as typeof Arrow;

export function arrowResultOf(schema: T.TTableSchema | null | undefined): ArrowResult {
  const columns = [...(schema?.columns ?? [])].sort((a, b) => a.position - b.position);
  const sparkTypes = columns.map((c) => c.typeDesc.types[0]?.primitiveEntry?.type);
  const fields = columns.map((c) => new arrow.Field(c.columnName, arrowType(c.typeDesc.types[0]?.primitiveEntry), true));
  const arrowSchema = new arrow.Schema(fields);
  const writer = new arrow.RecordBatchStreamWriter();
  writer.reset(undefined, arrowSchema);
  writer.finish();
  // The stream is the schema message, then the end-of-stream marker (8 bytes), dropped here.
  return { schema: arrowSchema, schemaBytes: Buffer.from(writer.toUint8Array(true)).subarray(0, -8), sparkTypes };
}

/** Decodes Spark's TColumns into one JS array per column (null where the null bitmap says so). */
export function decodeColumns(result: ArrowResult, columns: readonly T.TColumn[]): Column[] {
  // Spark sends no columns at all for an empty fetch of a statement without rows (DDL).
  if (columns.length === 0) return result.schema.fields.map(() => []);
  return result.schema.fields.map((field, i) => {
    const column = columns[i];
    const set =
      column?.boolVal ?? column?.byteVal ?? column?.i16Val ?? column?.i32Val ?? column?.i64Val ?? column?.doubleVal ?? column?.stringVal ?? column?.binaryVal;
    if (!set) throw new Error(`local warehouse: Spark sent no values for column ${field.name}`);
    const nulls = Buffer.from(set.nulls ?? []);
    const json = COMPLEX.has(result.sparkTypes[i] ?? -1);
    return (set.values as unknown[]).map((value, row) =>
      (nulls[row >> 3] ?? 0) & (1 << (row & 7)) ? null : json ? jsonText(String(value)) : nativeValue(field, value),
    );
  });
}

/** One IPC record batch message of rows [from, to). */
export function recordBatchBytes(result: ArrowResult, columns: readonly Column[], from: number, to: number): Buffer {
  const length = to - from;
  const children = result.schema.fields.map((field, i) => vectorData(field.type, columns[i]!.slice(from, to)));
  const data = arrow.makeData({ type: new arrow.Struct(result.schema.fields), length, nullCount: 0, children });
  const writer = new arrow.RecordBatchStreamWriter();
  writer.write(new arrow.RecordBatch(result.schema, data));
  writer.finish();
  return Buffer.from(writer.toUint8Array(true)).subarray(result.schemaBytes.length, -8);
}

function arrowType(entry: T.TPrimitiveTypeEntry | null | undefined): Arrow.DataType {
  const qualifiers = entry?.typeQualifiers?.qualifiers ?? {};
  switch (entry?.type) {
    case ID.BOOLEAN_TYPE:
      return new arrow.Bool();
    case ID.TINYINT_TYPE:
      return new arrow.Int8();
    case ID.SMALLINT_TYPE:
      return new arrow.Int16();
    case ID.INT_TYPE:
      return new arrow.Int32();
    case ID.BIGINT_TYPE:
      return new arrow.Int64();
    case ID.FLOAT_TYPE:
      return new arrow.Float32();
    case ID.DOUBLE_TYPE:
      return new arrow.Float64();
    case ID.BINARY_TYPE:
      return new arrow.Binary();
    case ID.TIMESTAMP_TYPE:
      return new arrow.TimestampMicrosecond("UTC");
    case ID.DATE_TYPE:
      return new arrow.DateDay();
    case ID.NULL_TYPE:
      return new arrow.Null();
    case ID.DECIMAL_TYPE:
      return new arrow.Decimal(qualifiers.scale?.i32Value ?? 0, qualifiers.precision?.i32Value ?? 38, 128);
    default:
      return new arrow.Utf8();
  }
}

function nativeValue(field: Arrow.Field, value: unknown): unknown {
  const type = field.type as Arrow.DataType;
  if (arrow.DataType.isInt(type) && type.bitWidth === 64) return BigInt.asIntN(64, BigInt(`0x${(value as { toOctetString(): string }).toOctetString()}`));
  if (arrow.DataType.isTimestamp(type)) {
    const [date, time = "00:00:00"] = String(value).split(" ");
    const [clock, fraction = ""] = time.split(".");
    return Date.parse(`${date}T${clock}.${fraction.padEnd(3, "0").slice(0, 3)}Z`);
  }
  if (arrow.DataType.isDate(type)) return new Date(`${String(value)}T00:00:00.000Z`);
  if (arrow.DataType.isDecimal(type)) return unscaled(String(value), type.scale);
  return value;
}

/** Lists, maps and structs arrive as text; only JSON text may reach the driver (see above). */
function jsonText(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify(text);
  }
}

function unscaled(text: string, scale: number): bigint {
  const [whole = "0", fraction = ""] = text.replace(/^-/, "").split(".");
  if (fraction.length > scale) throw new Error(`local warehouse: decimal ${text} has more than ${scale} digits after the point`);
  const digits = BigInt(`${whole}${fraction.padEnd(scale, "0")}`);
  return text.startsWith("-") ? -digits : digits;
}

function vectorData(type: Arrow.DataType, values: readonly unknown[]): Arrow.Data {
  if (arrow.DataType.isNull(type)) return arrow.makeData({ type, length: values.length });
  if (arrow.DataType.isDecimal(type)) {
    const words = new BigUint64Array(values.length * 2);
    const validity = new Uint8Array(Math.ceil(values.length / 8));
    values.forEach((v, i) => {
      if (v === null) return;
      validity[i >> 3]! |= 1 << (i & 7);
      words[2 * i] = BigInt.asUintN(64, v as bigint);
      words[2 * i + 1] = BigInt.asUintN(64, (v as bigint) >> 64n);
    });
    const nullCount = values.filter((v) => v === null).length;
    return arrow.makeData({ type, length: values.length, nullCount, nullBitmap: validity, data: new Uint32Array(words.buffer) });
  }
  const vector = arrow.vectorFromArray(values as unknown[], type);
  if (vector.data.length !== 1) throw new Error("local warehouse: a column became more than one Arrow chunk");
  return vector.data[0]!;
}
