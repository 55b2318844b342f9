// A free TCP port on loopback, for a child process that needs its port before it starts (tests otherwise listen on
// port 0 and read the port back). The OS picks it; between close() and the child's bind another process could take
// it, which on a test machine is rare enough.
import { createServer } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`no port from ${JSON.stringify(address)}`))));
    });
  });
}
