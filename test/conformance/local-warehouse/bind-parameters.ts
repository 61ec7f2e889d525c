import type { TSparkParameter } from "@databricks/sql/thrift/TCLIService_types.js";
import { replaceMarkers } from "../sql-markers.js";

/**
 * Binding of the named parameters `@databricks/sql` sends (TSparkParameter: a type name and the value
 * as text) for a Spark that binds none over Thrift: each marker becomes a literal of the bound type
 * that no value can break out of (text as hex, everything else checked against its form first). A
 * marker without a parameter is left in place, so Spark answers UNBOUND_SQL_PARAMETER (42P02) as a
 * warehouse does.
 */
export class ParameterError extends Error {
  override readonly name = "ParameterError";
}

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export function bindParameters(sql: string, parameters: readonly TSparkParameter[] | null | undefined): string {
  const named = new Map<string, TSparkParameter>();
  for (const parameter of parameters ?? []) {
    if (!parameter.name) throw new ParameterError("the local warehouse binds named parameters only (an ordinal parameter was sent)");
    named.set(parameter.name, parameter);
  }
  return replaceMarkers(sql, (name) => {
    const parameter = named.get(name);
    return parameter ? literalOf(parameter) : `:${name}`;
  });
}

/** The bytes of the parameters' values as text: what a warehouse's parameter-size limit counts. */
export function parameterBytes(parameters: readonly TSparkParameter[] | null | undefined): number {
  return (parameters ?? []).reduce((sum, p) => sum + Buffer.byteLength(p.value?.stringValue ?? ""), 0);
}

function literalOf(parameter: TSparkParameter): string {
  const type = parameter.type?.toUpperCase();
  const text = parameter.value?.stringValue;
  // The driver sends neither type nor value for NULL (and for VOID).
  if (type === undefined || type === "VOID" || text === undefined || text === null) return "NULL";
  const checked = (form: RegExp) => {
    if (!form.test(text)) throw new ParameterError(`the ${type} parameter :${parameter.name} has a value of the wrong form`);
    return text;
  };
  switch (type) {
    case "STRING":
      return `decode(unhex('${Buffer.from(text, "utf8").toString("hex")}'), 'UTF-8')`;
    case "BOOLEAN":
      return checked(/^(TRUE|FALSE)$/i).toUpperCase();
    case "TINYINT":
    case "SMALLINT":
    case "BIGINT":
      return `CAST('${checked(INTEGER)}' AS ${type})`;
    case "INTEGER":
      return `CAST('${checked(INTEGER)}' AS INT)`;
    case "FLOAT":
    case "DOUBLE":
      return `CAST('${checked(NUMBER)}' AS ${type})`;
    case "DECIMAL":
      return `${checked(DECIMAL)}BD`;
    case "DATE":
      return `DATE'${checked(DATE)}'`;
    case "TIMESTAMP":
    case "TIMESTAMP_NTZ":
      return `${type}'${checked(TIMESTAMP)}'`;
    default:
      throw new ParameterError(`the local warehouse cannot bind a parameter of type ${type} (:${parameter.name})`);
  }
}
