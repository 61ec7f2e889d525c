import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Apache Spark's Thrift Server (HiveServer2 protocol) with Delta Lake, started once for the suite:
 * the open-source engine that speaks the Databricks SQL dialect. Its jars come from
 * test/spark/fetch-spark.sh (cached); its warehouse and metastore live in a temporary directory.
 */
export interface SparkServer {
  readonly port: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 240_000;

export async function startSparkServer(): Promise<SparkServer> {
  const home = execFileSync("bash", ["test/spark/fetch-spark.sh"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  const work = mkdtempSync(join(tmpdir(), "nds-spark-"));
  const port = await freePort();
  const jvmOptions = readFileSync("test/spark/jvm-options.txt", "utf8")
    .split("\n")
    .map((line) => line.replace(/\s*#.*$/, "").trim())
    .filter(Boolean);
  const conf = {
    "spark.master": "local[2]",
    "spark.app.name": "notion-delta-sync-conformance",
    "spark.ui.enabled": "false",
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
    "spark.sql.warehouse.dir": join(work, "warehouse"),
    "spark.hadoop.javax.jdo.option.ConnectionURL": `jdbc:derby:;databaseName=${join(work, "metastore_db")};create=true`,
    "derby.system.home": work,
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.databricks.delta.snapshotPartitions": "2",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.host": "127.0.0.1",
  };
  const args = [
    ...jvmOptions,
    "-Xmx1536m",
    ...Object.entries(conf).map(([k, v]) => `-D${k}=${v}`),
    "-cp",
    `${join(home, "jars")}/*`,
    "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
    ...[
      "hive.server2.thrift.bind.host=127.0.0.1",
      `hive.server2.thrift.port=${port}`,
      "hive.server2.authentication=NOSASL",
      "hive.server2.enable.doAs=false",
    ].flatMap((c) => ["--hiveconf", c]),
  ];
  const logFile = join(work, "spark.log");
  const log = createWriteStream(logFile);
  const child = spawn("java", args, { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = false;
  child.once("exit", () => (exited = true));

  const started = Date.now();
  while (!(await accepts(port))) {
    if (exited) throw new Error(`the Spark Thrift Server exited while starting; its log: ${logFile}\n${tail(logFile)}`);
    if (Date.now() - started > READY_TIMEOUT_MS) {
      await stopChild(child);
      throw new Error(`the Spark Thrift Server did not listen on ${port} within ${READY_TIMEOUT_MS / 1000} s; its log: ${logFile}\n${tail(logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  process.stderr.write(
    `conformance: Spark Thrift Server listening on 127.0.0.1:${port} after ${((Date.now() - started) / 1000).toFixed(1)} s (log ${logFile})\n`,
  );
  return {
    port,
    logFile,
    async stop() {
      await stopChild(child);
      log.end();
      if (!process.env.NDS_KEEP_SPARK_WORK) rmSync(work, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "";
  }
}
