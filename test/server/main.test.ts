import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeProductive } from "../fakes/productive.ts";
import { useGatewayProcesses } from "../support/gateway-process.ts";

/** The real process: `npm start`'s entry point, on a random port, stopped by a signal. */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const startProcess = useGatewayProcesses();
const start = (env: Record<string, string>) => startProcess(["--import", "tsx", "src/main.ts"], env);

describe("the gateway process", () => {
  it("serves the seeded store from its file and keeps it across restarts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gateway-main-"));
    dirs.push(dir);
    const query = JSON.stringify({ query: "{ companies(first: 1) { totalCount } }" });
    for (let run = 0; run < 2; run++) {
      const { child, url } = start({ STORE_URL: join(dir, "store.sqlite") });
      const response = await fetch(await url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: query,
      });
      const body = (await response.json()) as { data: { companies: { totalCount: number } } };
      expect(body.data.companies.totalCount).toBeGreaterThanOrEqual(200);
      child.kill("SIGTERM");
      expect((await once(child, "exit"))[0]).toBe(0);
    }
  });

  it("on SIGTERM finishes the request in flight, then closes and exits 0", async () => {
    const productive = await startFakeProductive();
    try {
      productive.addCompany({ name: "In Flight Ltd" });
      const { child, url, output } = start({
        STORE_URL: ":memory:",
        PRODUCTIVE_API_TOKEN: productive.config.apiToken,
        PRODUCTIVE_ORGANIZATION_ID: productive.config.organizationId,
        PRODUCTIVE_BASE_URL: productive.origin,
      });
      const endpoint = await url;
      // The upstream holds its answer long enough for the signal to arrive while the request is in flight.
      productive.setLatency(1_500);
      const inFlight = fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ companies(first: 5) { edges { node { name } } } }" }),
      });
      await expect.poll(() => productive.requests.length, { interval: 20, timeout: 5_000 }).toBe(1);
      child.kill("SIGTERM");

      const body = (await (await inFlight).json()) as {
        data: { companies: { edges: { node: { name: string } }[] } };
      };
      expect(body.data.companies.edges.map((edge) => edge.node.name)).toEqual(["In Flight Ltd"]);
      expect((await once(child, "exit"))[0]).toBe(0);
      expect(output()).toMatch(/SIGTERM: finishing in-flight requests[\s\S]*closed/);
    } finally {
      await productive.close();
    }
  });

  it("on SIGTERM ends the change subscriptions, then exits 0", async () => {
    const { child, url } = start({ STORE_URL: ":memory:" });
    const response = await fetch(await url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: "subscription { changes { id } }" }),
    });
    expect(response.status).toBe(200);
    child.kill("SIGTERM");
    // The stream ends (yoga closes it with a `complete` event) instead of holding the shutdown open.
    expect(await response.text()).toMatch(/event: complete/);
    expect((await once(child, "exit"))[0]).toBe(0);
  });

  it("serves GraphiQL with the example query", async () => {
    const { url } = start({ STORE_URL: ":memory:" });
    const response = await fetch(await url, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Contacts gateway");
    expect(html).toContain("query Overview");
  });

  it("refuses a bad configuration with a message naming the variable", async () => {
    const { child, output } = start({ STORE_URL: ":memory:", PRODUCTIVE_BASE_URL: "not a url" });
    const [code] = await once(child, "exit");
    expect(code).toBe(1);
    expect(output()).toMatch(/PRODUCTIVE_BASE_URL/);
  });
});
