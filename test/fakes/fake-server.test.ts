import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeServer, startFakeServer } from "./fake-server.ts";

/** The base every fake upstream is built on: its faults, latency and reset, whatever the provider. */

let server: FakeServer;
let resets = 0;

beforeEach(async () => {
  resets = 0;
  server = await startFakeServer(() => ({ status: 200, body: { ok: true } }), {
    reset: () => {
      resets += 1;
    },
  });
});
afterEach(() => server.close());

const get = async () => {
  const response = await fetch(`${server.origin}/things?page=2`);
  return [response.status, await response.text()];
};

describe("startFakeServer", () => {
  it("gives the next `count` requests the fault instead of the answer, and records them like any other", async () => {
    server.failNext({ status: 503, headers: { "retry-after": "5" }, body: "down" }, 2);

    expect(await Promise.all([get(), get()])).toEqual([
      [503, "down"],
      [503, "down"],
    ]);
    expect(await get()).toEqual([200, '{"ok":true}']);
    expect(server.requests.map((request) => [request.method, request.path, `${request.query}`])).toEqual([
      ["GET", "/things", "page=2"],
      ["GET", "/things", "page=2"],
      ["GET", "/things", "page=2"],
    ]);
  });

  it("forgets requests, faults and latency on reset, and has the fake restore its own state", async () => {
    await get();
    server.failNext({ status: 500 });
    server.setLatency(30_000);

    server.reset();

    expect(await get()).toEqual([200, '{"ok":true}']);
    expect(server.requests).toHaveLength(1);
    expect(resets).toBe(1);
  });
});
