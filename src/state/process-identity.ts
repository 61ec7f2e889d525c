import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Who a process is, precisely enough to tell a live lock holder from an earlier life of the same pid.
 * In a container the worker is PID 1 every time it starts, so the pid alone says nothing: the boot id,
 * the pid namespace and the process's start time (clock ticks since boot) tell lives apart. On systems
 * without /proc the optional parts are absent and the run lock falls back to its heartbeat.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly host: string;
  /** /proc/sys/kernel/random/boot_id: changes at every boot. */
  readonly bootId?: string;
  /** The pid namespace (`pid:[4026531836]`): pids are only comparable inside one. */
  readonly pidNamespace?: string;
  /** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
  readonly processStart?: string;
}

let mine: ProcessIdentity | undefined;

/** This process's identity, read once. */
export function currentIdentity(): ProcessIdentity {
  mine ??= {
    pid: process.pid,
    host: hostname(),
    ...optional("bootId", () => readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()),
    ...optional("pidNamespace", () => readlinkSync("/proc/self/ns/pid")),
    ...optional("processStart", () => processStartOf("self")),
  };
  return mine;
}

/** The start time of a process of this pid namespace, or undefined when it does not exist (or /proc cannot tell). */
export function processStartOf(pid: number | "self"): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19];
}

function optional<K extends string>(key: K, read: () => string | undefined): Partial<Record<K, string>> {
  try {
    const value = read();
    return value ? ({ [key]: value } as Record<K, string>) : {};
  } catch {
    return {};
  }
}
