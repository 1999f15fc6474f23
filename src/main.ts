import { existsSync, mkdirSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, resolve } from "node:path";
import { CONFIG_VARIABLES, type Config, ConfigError, loadConfig } from "./config.ts";
import { createGateway } from "./gateway.ts";
import { createLogger } from "./ops/logger.ts";
import { isPostgresUrl } from "./store/dialect.ts";
import { StoreOpenError } from "./store/index.ts";

/** Start-up only: config → gateway → listen; graceful shutdown on SIGINT/SIGTERM. */
const SHUTDOWN_GRACE_MS = 10_000;

/** The exit code of every start-up failure the operator fixes in the configuration (docs/production.md). */
const EXIT_CONFIGURATION = 1;

/** A start-up failure caused by the configuration: its message is one line naming the variable. */
class StartupError extends Error {
  override name = "StartupError";
}

async function main(): Promise<void> {
  if (process.argv.slice(2).some((argument) => argument === "--help" || argument === "-h")) {
    console.log(configurationHelp());
    return;
  }
  loadDotEnv();
  const config = loadConfig();

  const logger = createLogger(config);
  // Only a provider served by the store opens it (src/backends.ts), and only then is its folder needed.
  const servedByStore = !config.productive || !config.moneybird || !config.freeAgent;
  if (servedByStore && !isPostgresUrl(config.storeUrl)) createStoreFolder(config.storeUrl);
  const gateway = await createGateway({ config, logger }).catch((error: unknown) => {
    throw storeFailure(error, config) ?? error;
  });
  const server = createServer(gateway.yoga);
  await listen(server, config);

  const backends = Object.fromEntries(
    Object.entries(gateway.sources.health).map(([provider, { backend }]) => [provider, backend]),
  );
  const { port } = server.address() as AddressInfo;
  const host = ["0.0.0.0", "127.0.0.1", "::", "::1"].includes(config.host) ? "localhost" : config.host;
  const url = `http://${host}:${port}/graphql`;
  logger.info({ url, backends, environment: config.environment }, `Contacts gateway on ${url}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${signal}: finishing in-flight requests, then closing`);
    const forced = setTimeout(() => {
      logger.error(`in-flight requests still open after ${SHUTDOWN_GRACE_MS} ms: exiting`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    forced.unref();
    // A subscription's stream never ends by itself: end them, so that their clients reconnect elsewhere.
    gateway.sources.changes?.endWatches();
    // Keep-alive connections go idle as their last response is sent: close each as soon as it does.
    const closeIdle = setInterval(() => server.closeIdleConnections(), 50);
    server.close(async () => {
      clearInterval(closeIdle);
      await gateway.close();
      logger.info("closed");
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

/**
 * `.env` in the working directory, when there is one. Variables already in the environment win:
 * loadEnvFile never overwrites them.
 */
function loadDotEnv(): void {
  try {
    process.loadEnvFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new StartupError(`Cannot start: .env cannot be read (${(error as Error).message})`);
  }
}

function configurationHelp(): string {
  const width = Math.max(...CONFIG_VARIABLES.map(({ name }) => name.length));
  const defaultWidth = Math.max(...CONFIG_VARIABLES.map(({ defaultValue }) => defaultValue.length));
  const row = (name: string, defaultValue: string, meaning: string) =>
    `  ${name.padEnd(width)}  ${defaultValue.padEnd(defaultWidth)}  ${meaning}`;
  return [
    "Usage: npm start [-- --help]           development: tsx runs src/main.ts",
    "       npm run start:prod [-- --help]  production: node runs dist/main.js, built by npm run build",
    "",
    "Configured by environment variables, read once at start-up; a .env file in the working",
    "directory is read first, and the environment wins over it. Unset (or empty) takes the default.",
    "",
    row("variable", "default", "meaning"),
    ...CONFIG_VARIABLES.map(({ name, defaultValue, meaning }) => row(name, defaultValue || "-", meaning)),
  ].join("\n");
}

/**
 * Creates the store's missing folders one level at a time. Node's recursive mkdirSync never returns
 * where a level cannot be created although its parent exists (STORE_URL=/proc/nope/x.db), and a
 * file where a folder should be would surface as a bare EEXIST or ENOTDIR.
 */
function createStoreFolder(storeUrl: string): void {
  if (storeUrl === ":memory:") return;
  const missing: string[] = [];
  let folder = dirname(resolve(storeUrl));
  while (!existsSync(folder)) {
    missing.unshift(folder);
    folder = dirname(folder);
  }
  if (!statSync(folder).isDirectory()) {
    throw new StartupError(`Cannot start: STORE_URL=${storeUrl}: ${folder} is a file, not a folder`);
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException;
      throw new StartupError(
        `Cannot start: STORE_URL=${storeUrl}: cannot create the folder ${level} (${code})`,
      );
    }
  }
}

/** SQLite's errors at start-up, and a PostgreSQL store that cannot be opened, are STORE_URL's doing. */
function storeFailure(error: unknown, config: Config): StartupError | null {
  if (error instanceof StoreOpenError) {
    return new StartupError(`Cannot start: STORE_URL=${withoutPassword(config.storeUrl)}: ${error.message}`);
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return null;
  return new StartupError(
    `Cannot start: STORE_URL=${config.storeUrl}: cannot open it as a SQLite store (${code}: ${(error as Error).message})`,
  );
}

/** A database URL as it may be logged: its password masked. */
function withoutPassword(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed?.password) return url;
  parsed.password = "***";
  return parsed.href;
}

/** Listens, or fails with the variable to change: an unhandled "error" event would crash with a stack. */
function listen(server: Server, config: Config): Promise<void> {
  return new Promise((resolve, reject) => {
    const refuse = (error: NodeJS.ErrnoException) => {
      const where = `${config.host}:${config.port}`;
      const reasons: Record<string, string> = {
        EADDRINUSE: `PORT=${config.port}: ${where} is already in use`,
        EACCES: `PORT=${config.port}: not allowed to listen on ${where} (ports below 1024 need privileges)`,
        ENOTFOUND: `HOST=${config.host}: no such host`,
        EAI_AGAIN: `HOST=${config.host}: the name could not be resolved`,
        EADDRNOTAVAIL: `HOST=${config.host}: not an address of this machine`,
      };
      const reason = error.code === undefined ? undefined : reasons[error.code];
      reject(reason === undefined ? error : new StartupError(`Cannot start: ${reason} (${error.code})`));
    };
    server.once("error", refuse);
    // Once listening, a server error is no longer a start-up failure.
    server.listen(config.port, config.host, () => {
      server.off("error", refuse);
      resolve();
    });
  });
}

try {
  await main();
} catch (error) {
  // A configuration problem is one line per problem and no stack; anything else is a bug, and keeps its stack.
  if (!(error instanceof ConfigError || error instanceof StartupError)) throw error;
  console.error(error.message);
  process.exit(EXIT_CONFIGURATION);
}
