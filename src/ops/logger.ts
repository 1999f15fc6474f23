import { createRequire } from "node:module";
import { type DestinationStream, type Logger, pino } from "pino";
import type pretty from "pino-pretty";

export type { Logger } from "pino";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerSettings {
  logLevel: LogLevel;
  environment: "development" | "production" | "test";
}

/**
 * A second guard behind the redaction at the source (src/security/redaction.ts): should a header
 * set or a credential field ever reach a log line, pino replaces it.
 */
const REDACTED_PATHS = [
  "headers.authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
  "authorization",
  "*.authorization",
  "apiKey",
  "*.apiKey",
  "token",
  "*.token",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "clientSecret",
  "*.clientSecret",
  "password",
  "*.password",
];

/**
 * The gateway's logger: JSON lines on stdout (or `destination`, which tests capture), pretty ones
 * only for a developer watching a terminal, since anything else (a log shipper, a file) parses them.
 */
export function createLogger(settings: LoggerSettings, destination?: DestinationStream): Logger {
  const options = {
    level: settings.logLevel,
    base: { service: "contacts-gateway" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: "[REDACTED]" },
  };
  if (destination) return pino(options, destination);
  // Synchronous writes: main.ts exits right after its last line, which must not be lost in a buffer.
  if (settings.environment === "development" && process.stdout.isTTY) {
    // Loaded only here: a production gateway does not hold pino-pretty's ~4.5 MB.
    const prettyStream = createRequire(import.meta.url)("pino-pretty") as typeof pretty;
    return pino(options, prettyStream({ sync: true }));
  }
  return pino(options, pino.destination({ dest: 1, sync: true }));
}
