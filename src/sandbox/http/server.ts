import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface ListeningServer {
  url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:`port` (0 = ephemeral); `close` also destroys every open socket. */
export function listen(port: number, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<ListeningServer> {
  const server = createServer(handler);
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      const actual = typeof address === "object" && address ? address.port : port;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        close: () => {
          closing ??= new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            for (const socket of sockets) socket.destroy();
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
