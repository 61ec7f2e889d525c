import { fetch as undiciFetch, ProxyAgent } from "undici";
import type { ProxySettings } from "../config/index.js";

/**
 * A fetch whose requests go through `proxy` (an HTTP CONNECT tunnel, or SOCKS5), as curl and the
 * Databricks driver go: Node's own fetch ignores HTTPS_PROXY. undici's fetch carries them, with its own
 * dispatcher (Node's bundled undici may be another version). A proxy that refuses the tunnel or cannot be
 * reached fails as a ProxyRefusal naming the proxy's address, never its credentials. `close` ends its connections.
 */
export function proxiedFetch(proxy: ProxySettings): { readonly fetch: typeof fetch; close(): Promise<void> } {
  const dispatcher = new ProxyAgent(proxyUri(proxy));
  const where = `the proxy at ${proxy.host}:${proxy.port} (HTTPS_PROXY or ALL_PROXY)`;
  const send = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === "string" || input instanceof URL ? input : input.url;
    try {
      // The SDK sends a method, plain headers and a string body (SupportedRequestInit), nothing else.
      const { method, headers, body, signal } = init ?? {};
      const sent = { method, headers: Object.fromEntries(new Headers(headers)), body: typeof body === "string" ? body : undefined, signal, dispatcher };
      return await undiciFetch(url, sent);
    } catch (error) {
      throw proxyError(error, where) ?? error;
    }
  };
  return { fetch: send, close: () => dispatcher.close() };
}

/** The proxy's URL for undici: credentials stay percent-encoded (undici decodes them); socks5h is socks5 (undici sends host names). */
function proxyUri(proxy: ProxySettings): string {
  const protocol = proxy.protocol === "socks5h" ? "socks5" : proxy.protocol;
  const auth = proxy.auth ? `${proxy.auth.username}:${proxy.auth.password.reveal()}@` : "";
  return `${protocol}://${auth}${proxy.host}:${proxy.port}`;
}

/** The proxy's own refusal, told apart from Notion's answers; `toNotionError` says which request it stopped. */
export class ProxyRefusal extends Error {
  override readonly name = "ProxyRefusal";
  constructor(
    readonly code: "notion_network" | "notion_unreachable",
    message: string,
    readonly transient: boolean,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

/** A tunnel answered with another status than 200, or no proxy listening at its address. */
function proxyError(error: unknown, where: string): ProxyRefusal | undefined {
  const causes = causeChain(error);
  const status = causes.map((cause) => /Proxy response \((\d+)\)/.exec(cause.message)?.[1]).find((found) => found !== undefined);
  if (status === "407") {
    return new ProxyRefusal("notion_network", `${where} asked for credentials (407): give them in the proxy URL, http://user:password@host:port`, false, error);
  }
  if (status !== undefined) {
    return new ProxyRefusal(
      "notion_network",
      `${where} refused the tunnel to Notion (${status}): check that it lets this host reach Notion`,
      Number(status) >= 500,
      error,
    );
  }
  const code = causes
    .map((cause) => (cause as NodeJS.ErrnoException).code)
    .find((found) => found === "ECONNREFUSED" || found === "ENOTFOUND" || found === "EAI_AGAIN");
  if (code !== undefined) {
    return new ProxyRefusal("notion_unreachable", `cannot reach ${where} (${code}): check the proxy's address`, true, error);
  }
  return undefined;
}

/** An error and its causes (fetch wraps undici's error, which wraps the tunnel's), at most a few deep. */
function causeChain(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let at = error; at instanceof Error && chain.length < 5; at = at.cause) chain.push(at);
  return chain;
}
