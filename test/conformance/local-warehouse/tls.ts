import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A self-signed certificate for 127.0.0.1 (and the Azure host below), made once per suite run with openssl (Node has no API
 * that makes X.509 certificates). `@databricks/sql` speaks HTTPS only and checks certificates; the
 * suite trusts this one by NODE_EXTRA_CA_CERTS, which Node reads when a process starts, so it is set
 * before the test workers are forked. Certificates the environment already trusts that way are kept.
 */
export interface SuiteTls {
  readonly certFile: string;
  readonly keyFile: string;
  /** The bundle NODE_EXTRA_CA_CERTS names: this certificate and any the environment named before. */
  readonly trustFile: string;
}

/** An Azure workspace's host, reached through the suite's tunnel proxy (tunnel.ts): the certificate names it too. */
export const AZURE_WORKSPACE_HOST = "adb-1234567890123456.7.azuredatabricks.net";

export function makeSuiteTls(dir: string, previousTrust: string | undefined): SuiteTls {
  const certFile = join(dir, "local-warehouse.crt");
  const keyFile = join(dir, "local-warehouse.key");
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=notion-delta-sync local warehouse",
        "-addext",
        `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${AZURE_WORKSPACE_HOST}`,
        "-keyout",
        keyFile,
        "-out",
        certFile,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
  } catch (error) {
    throw new Error(`the local warehouse needs openssl to make its test certificate (apt-get install openssl): ${(error as Error).message}`, { cause: error });
  }
  const trustFile = join(dir, "trust.pem");
  const previous = previousTrust ? readOrEmpty(previousTrust) : "";
  writeFileSync(trustFile, `${previous}${previous.endsWith("\n") || previous === "" ? "" : "\n"}${readFileSync(certFile, "utf8")}`);
  return { certFile, keyFile, trustFile };
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    // Node ignores an unreadable NODE_EXTRA_CA_CERTS with a warning; so does the suite.
    process.stderr.write(
      `conformance: NODE_EXTRA_CA_CERTS=${file} is unreadable (${(error as Error).message}); trusting only the local warehouse's certificate\n`,
    );
    return "";
  }
}
