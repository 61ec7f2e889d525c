import { describe, expect, it } from "vitest";
import { bindParameters, parameterBytes } from "../conformance/local-warehouse/bind-parameters.js";
import { tcli } from "../conformance/local-warehouse/tcli.js";
import { displayMessage } from "../conformance/local-warehouse/warehouse-status.js";

/** The conformance suite's local Databricks warehouse: parameter binding and error wording, without Spark. */
const param = (name: string, type: string | undefined, value?: string) =>
  new tcli.TSparkParameter({
    name,
    ...(type ? { type } : {}),
    ...(value === undefined ? {} : { value: new tcli.TSparkParameterValue({ stringValue: value }) }),
  });

describe("local warehouse: named parameters bound as literals", () => {
  it("binds each type the driver sends, text as hex that nothing can break out of", () => {
    const sql = bindParameters("SELECT :s, :i, :b, :d, :f, :t, :n, :day, ':s' AS lit, `:s` AS id -- :s\n", [
      param("s", "STRING", "x') OR ('1'='1"),
      param("i", "INTEGER", "-7"),
      param("b", "BOOLEAN", "TRUE"),
      param("d", "DECIMAL", "12.50"),
      param("f", "DOUBLE", "2.5e-3"),
      param("t", "TIMESTAMP", "2026-03-01T09:30:00.123Z"),
      param("n", undefined),
      param("day", "DATE", "2026-03-01"),
    ]);
    expect(sql).toBe(
      `SELECT decode(unhex('${Buffer.from("x') OR ('1'='1").toString("hex")}'), 'UTF-8'), CAST('-7' AS INT), TRUE, 12.50BD, CAST('2.5e-3' AS DOUBLE), TIMESTAMP'2026-03-01T09:30:00.123Z', NULL, DATE'2026-03-01', ':s' AS lit, \`:s\` AS id -- :s\n`,
    );
  });

  it("leaves a marker without a parameter for Spark to refuse, and refuses values of the wrong form", () => {
    expect(bindParameters("SELECT :missing, a::STRING", [])).toBe("SELECT :missing, a::STRING");
    expect(() => bindParameters("SELECT :i", [param("i", "BIGINT", "1; DROP TABLE t")])).toThrow(/BIGINT parameter :i has a value of the wrong form/);
    expect(() => bindParameters("SELECT :t", [param("t", "TIMESTAMP", "2026-01-01' OR '1")])).toThrow(/wrong form/);
    expect(() => bindParameters("SELECT :m", [param("m", "INTERVAL MONTH", "1")])).toThrow(/cannot bind a parameter of type INTERVAL MONTH/);
    expect(() =>
      bindParameters("SELECT ?", [new tcli.TSparkParameter({ ordinal: 1, type: "STRING", value: new tcli.TSparkParameterValue({ stringValue: "x" }) })]),
    ).toThrow(/named parameters only/);
  });

  it("counts the bytes of the values, as a size limit would", () => {
    expect(parameterBytes([param("a", "STRING", "✓✓"), param("b", "INTEGER", "10"), param("c", undefined)])).toBe(8);
  });
});

describe("local warehouse: a failed statement's display message", () => {
  it("keeps the error class and the SQLSTATE, drops the exception prefix, the plan and the stack", () => {
    const spark =
      "org.apache.hive.service.cli.HiveSQLException: Error running query: [TABLE_OR_VIEW_NOT_FOUND] org.apache.spark.sql.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The table or view `t` cannot be found. SQLSTATE: 42P01; line 1 pos 14;\n'Project [*]\n+- 'UnresolvedRelation [t], [], false\n\n\tat org.apache.spark.sql.hive.thriftserver.HiveThriftServerErrors$.runningQueryError(HiveThriftServerErrors.scala:43)";
    expect(displayMessage(spark)).toBe("[TABLE_OR_VIEW_NOT_FOUND] The table or view `t` cannot be found. SQLSTATE: 42P01; line 1 pos 14");
    expect(displayMessage("org.apache.hive.service.cli.HiveSQLException: Error running query: java.lang.IllegalStateException: boom\n\tat x.y(Z.java:1)")).toBe(
      "java.lang.IllegalStateException: boom",
    );
  });
});
