import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createUpstreamClient } from "../../src/http/upstream-client.ts";

/** What a failed write tells about itself: whether it landed upstream (`writeLanded`). */

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** A server that answers every request with `status` and then drops the connection mid-body. */
async function cutOffAfterStatus(status: number): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { "content-type": "application/json", "content-length": "100" });
    res.write('{"partial":');
    setImmediate(() => res.socket?.destroy());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A server that takes requests and never answers. */
async function silent(): Promise<string> {
  const server = createServer(() => {});
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const client = (origin: string, timeoutMs = 5_000) =>
  createUpstreamClient({
    provider: "FREEAGENT",
    origin,
    headers: () => ({}),
    rateLimits: [{ limit: 100, seconds: 60 }],
    budgetKey: "test",
    settings: { timeoutMs },
  });

describe("writeLanded on a failed write", () => {
  it("is true when the provider accepted the write (201) and only its answer was cut off", async () => {
    const upstream = client(await cutOffAfterStatus(201));
    await expect(upstream.request({ method: "POST", path: "/v2/contacts", body: {} })).rejects.toMatchObject({
      code: "UNAVAILABLE",
      writeLanded: true,
    });
    await upstream.close();
  });

  it("is false when the provider refused the write (422) before the answer was cut off", async () => {
    const upstream = client(await cutOffAfterStatus(422));
    await expect(upstream.request({ method: "PUT", path: "/v2/contacts/1", body: {} })).rejects.toMatchObject(
      {
        writeLanded: false,
      },
    );
    await upstream.close();
  });

  it("is null (unknown) when the request was sent and no answer came in time", async () => {
    const upstream = client(await silent(), 200);
    await expect(upstream.request({ method: "POST", path: "/v2/contacts", body: {} })).rejects.toMatchObject({
      code: "TIMEOUT",
      writeLanded: null,
    });
    await upstream.close();
  });

  it("is false when nothing could be sent (connection refused)", async () => {
    const origin = await silent();
    await afterEachClose();
    const upstream = client(origin);
    await expect(upstream.request({ method: "DELETE", path: "/v2/contacts/1" })).rejects.toMatchObject({
      code: "UNAVAILABLE",
      writeLanded: false,
    });
    await upstream.close();
  });

  it("is false for a read, whatever happened", async () => {
    const upstream = client(await cutOffAfterStatus(200));
    await expect(upstream.request({ method: "GET", path: "/v2/contacts" })).rejects.toMatchObject({
      writeLanded: false,
    });
    await upstream.close();
  });
});

/** Closes the servers started so far, so their ports refuse connections. */
async function afterEachClose(): Promise<void> {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
