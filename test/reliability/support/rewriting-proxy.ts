import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A proxy on 127.0.0.1 in front of the sandbox that can rewrite requests before they reach it, as a
 * broken gateway or an API that ignores part of a request would. Answers pass through unchanged
 * (the sandbox's own `mutate` fault rules rewrite answers).
 */
export interface RewritingProxy {
  readonly url: string;
  /** Sets (or clears, with undefined) the request rewrite. */
  rewrite(rule: RequestRewrite | undefined): void;
  /** Requests the rewrite changed. */
  readonly rewritten: () => number;
  close(): Promise<void>;
}

/** Returns the new path and body of a request, or undefined to pass it unchanged. */
export type RequestRewrite = (request: { method: string; path: string; body: string }) => { path: string; body: string } | undefined;

export async function startRewritingProxy(targetUrl: string): Promise<RewritingProxy> {
  const target = new URL(targetUrl);
  let rule: RequestRewrite | undefined;
  let rewritten = 0;
  const server: Server = createServer((incoming: IncomingMessage, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const original = { method: incoming.method ?? "GET", path: incoming.url ?? "/", body: Buffer.concat(chunks).toString("utf8") };
      const changed = rule?.(original);
      if (changed) rewritten += 1;
      const { path, body } = changed ?? original;
      const headers = { ...incoming.headers, host: target.host, "content-length": String(Buffer.byteLength(body)) };
      const forward = httpRequest({ host: target.hostname, port: target.port, method: original.method, path, headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      forward.on("error", () => outgoing.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rewrite: (next) => void (rule = next),
    rewritten: () => rewritten,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Drops `start_cursor` from query bodies and query strings: an API that ignores it and starts over. */
export const ignoreStartCursor: RequestRewrite = ({ method, path, body }) => {
  const url = new URL(path, "http://x");
  if (url.searchParams.has("start_cursor")) {
    url.searchParams.delete("start_cursor");
    return { path: `${url.pathname}${url.search}`, body };
  }
  if (method === "POST" && body.includes("start_cursor")) {
    const json = JSON.parse(body) as Record<string, unknown>;
    delete json.start_cursor;
    return { path, body: JSON.stringify(json) };
  }
  return undefined;
};
