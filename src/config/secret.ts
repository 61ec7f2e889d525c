/**
 * A secret read from the environment. It prints as `[redacted]` through every path a value can
 * leak by (string conversion, JSON, util.inspect), so a config object can be logged whole.
 * Only the code that sends it over the wire calls `reveal()`.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return "[redacted]";
  }

  toJSON(): string {
    return "[redacted]";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "[redacted]";
  }
}
