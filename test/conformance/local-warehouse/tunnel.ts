import { createServer, type IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";

/**
 * An HTTP proxy that tunnels every CONNECT to one local port, whatever host it names: with it as
 * HTTPS_PROXY, the driver reaches "adb-….azuredatabricks.net" and "login.microsoftonline.com" at the
 * local warehouse, and takes the same paths (host-based OAuth choice, proxy agent) as in production.
 */
export interface TunnelProxy {
  /** `http://127.0.0.1:<port>`, as HTTPS_PROXY. */
  readonly url: string;
  /** The `host:port` of every CONNECT, in order. */
  readonly targets: string[];
  close(): Promise<void>;
}

export async function startTunnelProxy(toPort: number): Promise<TunnelProxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    targets.push(req.url ?? "");
    const upstream = connect(toPort, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    targets,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
