import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { Gateway } from "../../src/gateway.ts";
import { openGateway } from "../support/gateway.ts";
import { capturedLogger } from "../support/logging.ts";

/** An unexpected error: masked for the client, logged whole (with its stack) for the operator, by request. */

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

describe("an unexpected error", () => {
  it("is logged at error level with its stack and the request's id", async () => {
    const log = capturedLogger();
    gateway = await openGateway({ logger: log.logger });
    const internal = new Error("SQLITE_CORRUPT: the store's file is damaged");
    vi.spyOn(gateway.sources.companies, "list").mockRejectedValue(internal);

    const response = await gateway.yoga.fetch("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "req-broken" },
      body: JSON.stringify({ query: "{ companies { totalCount } }" }),
    });

    expect(await response.text()).not.toContain("SQLITE_CORRUPT");
    const [line, ...others] = log.lines().filter((line) => line.msg === "unexpected error");
    expect(others).toEqual([]);
    expect(line).toMatchObject({
      level: 50,
      requestId: "req-broken",
      err: { message: internal.message, stack: expect.stringContaining("SQLITE_CORRUPT") },
    });
    expect(log.lines().find((line) => line.msg === "graphql request")).toMatchObject({
      requestId: "req-broken",
      errorCodes: ["INTERNAL_SERVER_ERROR"],
    });
  });
});

describe("LOG_LEVEL", () => {
  it("is info by default, one of pino's levels or silent, and nothing else", () => {
    expect(loadConfig({}).logLevel).toBe("info");
    expect(loadConfig({ LOG_LEVEL: "silent" }).logLevel).toBe("silent");
    expect(() => loadConfig({ LOG_LEVEL: "verbose" })).toThrow(/LOG_LEVEL/);
  });
});
