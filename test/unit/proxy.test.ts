import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../src/config/index.js";
import { loadNotionConfig } from "../../src/config/load-config.js";
import { proxyFor } from "../../src/config/proxy.js";

/** HTTPS_PROXY and NO_PROXY are read from the process environment, as curl and npm read them. */
afterEach(() => vi.unstubAllEnvs());

const stub = (vars: Record<string, string>) => {
  for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"])
    vi.stubEnv(name, vars[name] ?? "");
};

describe("the proxy to the workspace", () => {
  it("takes HTTPS_PROXY with its port, default port and credentials, kept percent-encoded for the driver's proxy URL (the password redacted)", () => {
    stub({ HTTPS_PROXY: "http://svc%40corp:p%2F%3A%25s@proxy.corp:3128" });
    const proxy = proxyFor("https://adb-1.7.azuredatabricks.net");
    expect(proxy).toMatchObject({ protocol: "http", host: "proxy.corp", port: 3128, auth: { username: "svc%40corp" } });
    expect(proxy?.auth?.password.reveal()).toBe("p%2F%3A%25s");
    // As the driver writes it back (HttpConnection.createProxyAgent): a URL, its password decoded as sent.
    const written = new URL(`http://${proxy?.auth?.username}:${proxy?.auth?.password.reveal()}@${proxy?.host}:${proxy?.port}`);
    expect(decodeURIComponent(written.password)).toBe("p/:%s");
    expect(JSON.stringify(proxy)).not.toContain("p%2F");
    // Without a scheme, plain HTTP, as curl and npm take it.
    stub({ https_proxy: "proxy.corp:3128" });
    expect(proxyFor("https://adb-1.7.azuredatabricks.net")).toEqual({ protocol: "http", host: "proxy.corp", port: 3128 });
  });

  it("goes direct for a host NO_PROXY names (by suffix) and when no proxy is set", () => {
    stub({ HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: "localhost,.azuredatabricks.net" });
    expect(proxyFor("https://adb-1.7.azuredatabricks.net")).toBeUndefined();
    expect(proxyFor("https://dbc-1.cloud.databricks.com")).toMatchObject({ host: "proxy.corp" });
    stub({});
    expect(proxyFor("https://dbc-1.cloud.databricks.com")).toBeUndefined();
  });

  it("refuses a proxy it cannot use, naming the variable and never the credentials", () => {
    stub({ HTTPS_PROXY: "ftp://u:secret-pw@proxy.corp:21" });
    const error = (() => {
      try {
        proxyFor("https://adb-1.7.azuredatabricks.net");
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain("HTTPS_PROXY (or ALL_PROXY)");
    expect(error?.message).toContain("scheme ftp");
    expect(error?.message).not.toContain("secret-pw");
  });
});

describe("the proxy to Notion", () => {
  const notion = (extra: Record<string, string> = {}) => loadNotionConfig({ NOTION_TOKEN: "secret_proxy_test", ...extra }).notion;

  it("is the one HTTPS_PROXY names for Notion's public API, or for NOTION_BASE_URL's host, unless NO_PROXY names it", () => {
    stub({ HTTPS_PROXY: "http://u:pw%40@proxy.corp:3128", NO_PROXY: "notion.internal" });
    expect(notion().proxy).toMatchObject({ protocol: "http", host: "proxy.corp", port: 3128, auth: { username: "u" } });
    expect(notion({ NOTION_BASE_URL: "https://notion.internal" }).proxy).toBeUndefined();
    stub({});
    expect(notion().proxy).toBeUndefined();
  });

  it("refuses a SOCKS4 proxy, which Notion's requests cannot use, naming the variable and never the credentials", () => {
    stub({ ALL_PROXY: "socks4://u:secret-pw@proxy.corp:1080" });
    expect(() => notion()).toThrow(/HTTPS_PROXY \(or ALL_PROXY\).*socks4, which Notion's requests cannot use/);
    expect(() => notion()).not.toThrow(/secret-pw/);
  });
});
