import type { AddressInfo, Server } from 'node:net';

/** Starts a server listening (by default on 127.0.0.1 and a port the OS picks) and resolves with its address. */
export function listenOnLoopback(server: Server, port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
