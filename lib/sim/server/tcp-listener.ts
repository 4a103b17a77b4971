/** The API port: can be closed and reopened on the same port (a gateway restart refuses connections meanwhile). */
import net from "node:net";

export class TcpListener {
  private server: net.Server | null = null;
  private boundPort = 0;

  constructor(
    private readonly host: string,
    private readonly onConnection: (socket: net.Socket) => void,
  ) {}

  get port(): number {
    return this.boundPort;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  async open(port: number): Promise<void> {
    if (this.server) return;
    const server = net.createServer(this.onConnection);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port, host: this.host, exclusive: true }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("simulator listener has no TCP address");
    this.boundPort = address.port;
    this.server = server;
  }

  /** Stops accepting; existing sockets are the caller's to close. */
  close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
