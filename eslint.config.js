// ESLint: typescript-eslint's type-aware rules, plus the house rules of shared/design/style.md that a
// tool can check. Formatting is prettier's (eslint-config-prettier turns off what would conflict);
// import rules between the stages are dependency-cruiser's (.dependency-cruiser.cjs).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "bench/results/**", "test/artifacts/**", "vitest.*.config.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-empty": ["error", { allowEmptyCatch: false }],
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      // process.env is read in src/config only (the sandbox is an outside system with its own CLI).
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "read the environment in src/config only" }],
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']", message: "only the CLI calls process.exit" },
      ],
      "no-console": "error",
      "max-lines": ["error", { max: 250, skipBlankLines: false, skipComments: false }],
      "max-lines-per-function": ["error", { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  { files: ["src/config/**/*.ts"], rules: { "no-restricted-properties": "off" } },
  { files: ["src/cli/**/*.ts"], rules: { "no-restricted-syntax": "off", "no-console": "off", "no-restricted-properties": "off" } },
  { files: ["src/sandbox/**/*.ts"], rules: { "no-console": "off", "no-restricted-properties": "off", "no-restricted-syntax": "off" } },
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts"],
    rules: {
      // Tests and benchmarks read what the sandbox and the suites hand them, often untyped JSON.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      // Fakes answer with promises without awaiting anything; vitest's matchers are passed unbound.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/unbound-method": "off",
      "@typescript-eslint/no-base-to-string": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: "readonly", setImmediate: "readonly", console: "readonly", module: "readonly" },
    },
  },
  prettier,
);
