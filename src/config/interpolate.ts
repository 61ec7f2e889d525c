import { SECRET_VARIABLES } from "./env-schema.js";

/**
 * `${VAR}` interpolation over the parsed YAML tree. Only string values are touched; an unset or
 * empty variable is reported with the path where it was used, and nothing is guessed. A secret
 * variable is never read in: mapping values end up in messages, logs and hashes.
 */
export interface UnsetVariable {
  readonly variable: string;
  readonly path: string;
  /** True when the variable holds a secret (refused, whatever its value). */
  readonly secret?: boolean;
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function interpolate(value: unknown, env: Readonly<Record<string, string | undefined>>, unset: UnsetVariable[], path = ""): unknown {
  if (typeof value === "string") {
    return value.replace(PLACEHOLDER, (_match, name: string) => {
      if ((SECRET_VARIABLES as readonly string[]).includes(name)) {
        unset.push({ variable: name, path, secret: true });
        return "";
      }
      const replacement = env[name];
      if (replacement === undefined || replacement === "") {
        unset.push({ variable: name, path });
        return "";
      }
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, env, unset, `${path}[${index}]`));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolate(item, env, unset, path ? `${path}.${key}` : key);
    return out;
  }
  return value;
}
