import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/ops/logger.ts";

/** The logger of a gateway under test that logs nothing: test output stays the tests' own. */
export const quietLogger: Logger = createLogger({ logLevel: "silent", environment: "test" });

/** A log line as pino writes it, parsed. */
// biome-ignore lint/suspicious/noExplicitAny: a log line's fields are whatever the gateway logged
export type LogLine = Record<string, any>;

/** A logger at `trace` whose lines are kept, parsed, and as the text written (to search for secrets). */
export function capturedLogger(): { logger: Logger; lines(): LogLine[]; text(): string } {
  let written = "";
  const destination = new Writable({
    write(chunk, _encoding, done) {
      written += chunk;
      done();
    },
  });
  return {
    logger: createLogger({ logLevel: "trace", environment: "test" }, destination),
    lines: () =>
      written
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogLine),
    text: () => written,
  };
}
