import { getProxyForUrl } from "proxy-from-env";
import { ConfigError } from "./config-error.js";
import { Secret } from "./secret.js";

/** An HTTP(S) or SOCKS proxy as the Databricks SQL driver takes it; the password prints as `[redacted]`. */
export interface ProxySettings {
  readonly protocol: "http" | "https" | "socks" | "socks4" | "socks4a" | "socks5" | "socks5h";
  readonly host: string;
  readonly port: number;
  readonly auth?: { readonly username: string; readonly password: Secret };
}

const DEFAULT_PORTS: Readonly<Record<ProxySettings["protocol"], number>> = {
  http: 80,
  https: 443,
  socks: 1080,
  socks4: 1080,
  socks4a: 1080,
  socks5: 1080,
  socks5h: 1080,
};

/**
 * The proxy for requests to `url`, from the process environment as curl and npm read it
 * (`HTTPS_PROXY`/`https_proxy`, `ALL_PROXY`, skipped for hosts in `NO_PROXY`), through proxy-from-env:
 * the SQL driver takes a proxy only as an option and ignores these variables itself. Undefined: direct.
 * A proxy URL that cannot be read is an error naming the variable, never showing its credentials.
 */
export function proxyFor(url: string): ProxySettings | undefined {
  const proxy = schemeless(getProxyForUrl(url));
  if (proxy === "") return undefined;
  let parsed: URL;
  try {
    parsed = new URL(proxy);
  } catch {
    throw proxyIssue("is not a URL such as http://proxy.example.com:3128");
  }
  const protocol = parsed.protocol.replace(/:$/, "") as ProxySettings["protocol"];
  if (!(protocol in DEFAULT_PORTS)) throw proxyIssue(`has the scheme ${protocol}: use http, https or socks5`);
  // Kept percent-encoded: the driver writes them back into a proxy URL, which its proxy agent decodes.
  return Object.freeze({
    protocol,
    host: parsed.hostname,
    port: parsed.port === "" ? DEFAULT_PORTS[protocol] : Number(parsed.port),
    ...(parsed.username === "" ? {} : { auth: Object.freeze({ username: parsed.username, password: new Secret(parsed.password) }) }),
  });
}

/**
 * proxy-from-env gives a proxy declared without a scheme the request's (`https://`); curl and npm take
 * such a proxy as plain HTTP, and so does the worker.
 */
function schemeless(proxy: string): string {
  const declared = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"].map((name) => process.env[name]);
  const rest = proxy.slice("https://".length);
  return proxy.startsWith("https://") && declared.includes(rest) ? `http://${rest}` : proxy;
}

export const proxyIssue = (message: string) => new ConfigError([{ source: "environment", path: "HTTPS_PROXY (or ALL_PROXY)", message }]);
