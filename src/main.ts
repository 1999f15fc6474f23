import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError, loadConfig } from "./config.ts";
import { createGateway } from "./gateway.ts";

/** Start-up only: config → gateway → listen; graceful shutdown on SIGINT/SIGTERM. */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const config = (() => {
    try {
      return loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(error.message);
        process.exit(1);
      }
      throw error;
    }
  })();

  const gateway = await createGateway({ config });
  const server = createServer(gateway.yoga);
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));

  const backends = Object.entries(gateway.sources.health)
    .map(([provider, { backend }]) => `${provider}=${backend}`)
    .join(" ");
  const { port } = server.address() as AddressInfo;
  const host = ["0.0.0.0", "127.0.0.1", "::", "::1"].includes(config.host) ? "localhost" : config.host;
  console.log(`Contacts gateway on http://${host}:${port}/graphql (${backends})`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight requests, then closing`);
    const forced = setTimeout(() => {
      console.error(`in-flight requests still open after ${SHUTDOWN_GRACE_MS} ms: exiting`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    forced.unref();
    // Keep-alive connections go idle as their last response is sent: close each as soon as it does.
    const closeIdle = setInterval(() => server.closeIdleConnections(), 50);
    server.close(async () => {
      clearInterval(closeIdle);
      await gateway.close();
      console.log("closed");
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

await main();
