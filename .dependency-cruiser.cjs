/**
 * The import rules of shared/design/architecture.md, checked by dependency-cruiser in `npm test`
 * (run by `npm run lint`): the stage arrows that must never exist, the driver packages at the
 * warehouse's edge, and no circular import.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "A circular import hides which module depends on which.", from: {}, to: { circular: true } },
    {
      name: "nothing-imports-cli",
      severity: "error",
      comment: "The CLI is the outermost layer: library code never imports it.",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "notion-not-to-warehouse",
      severity: "error",
      comment: "The Notion edge knows nothing of the warehouse.",
      from: { path: "^src/notion/" },
      to: { path: "^src/warehouse/" },
    },
    {
      name: "warehouse-not-to-notion",
      severity: "error",
      comment: "The warehouse knows nothing of Notion.",
      from: { path: "^src/warehouse/" },
      to: { path: "^src/notion/" },
    },
    {
      name: "transform-not-to-notion-client",
      severity: "error",
      comment: "The transform reads the Notion page types (a types-only module), never the Notion client.",
      from: { path: "^src/transform/" },
      to: { path: "^src/notion/", pathNot: "^src/notion/types\\.ts$" },
    },
    {
      name: "transform-not-to-warehouse",
      severity: "error",
      comment: "The transform is pure: no warehouse.",
      from: { path: "^src/transform/" },
      to: { path: "^src/warehouse/" },
    },
    {
      name: "stages-not-to-pipeline",
      severity: "error",
      comment: "The pipeline drives the stages; they never import it.",
      from: { path: "^src/(config|notion|transform|warehouse|state|observability)/" },
      to: { path: "^src/pipeline/" },
    },
    {
      name: "config-upstream",
      severity: "error",
      comment: "Config is parsed first and imports no other stage.",
      from: { path: "^src/config/" },
      to: { path: "^src/(notion|transform|warehouse|state|pipeline|quality|worker|observability)/" },
    },
    {
      name: "sandbox-is-outside",
      severity: "error",
      comment: "The sandbox is an outside system in miniature: it imports nothing from the rest of src/.",
      from: { path: "^src/sandbox/" },
      to: { path: "^src/", pathNot: "^src/sandbox/" },
    },
    {
      name: "nothing-imports-sandbox",
      severity: "error",
      comment: "Only the demo command, tests and benchmarks start the sandbox.",
      from: { path: "^src/", pathNot: "^src/(sandbox|cli)/" },
      to: { path: "^src/sandbox/" },
    },
    {
      name: "duckdb-driver-at-the-edge",
      severity: "error",
      comment: "Only warehouse/duckdb/ imports the DuckDB driver.",
      from: { path: "^src/", pathNot: "^src/warehouse/duckdb/" },
      to: { path: "@duckdb/node-api" },
    },
    {
      name: "databricks-driver-at-the-edge",
      severity: "error",
      comment: "Only warehouse/databricks/ imports the Databricks SQL driver.",
      from: { path: "^src/", pathNot: "^src/warehouse/databricks/" },
      to: { path: "@databricks/sql" },
    },
    {
      name: "src-not-to-tests",
      severity: "error",
      comment: "Production code never imports tests or benchmarks.",
      from: { path: "^src/" },
      to: { path: "^(test|bench)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".d.ts"],
    },
  },
};
