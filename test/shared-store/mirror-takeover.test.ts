import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { unreachedRateLimitsEnv } from "../fakes/exchange.ts";
import { type FakeMoneybird, startFakeMoneybird } from "../fakes/moneybird.ts";
import { upstreamOf } from "../mirror/upstream.ts";
import { useGatewayProcesses } from "../support/gateway-process.ts";
import { createTestDatabase } from "../support/postgres-databases.ts";

/**
 * Two gateway processes mirroring one live Moneybird (a fake) into one store: one of them syncs;
 * killed (SIGKILL: it cannot give its lease up), the other takes the sync over within the lease's
 * three heartbeats and keeps the mirror current.
 */

const DIALECTS: [string, () => Promise<{ url: string; drop(): Promise<void> }>][] = [
  [
    "SQLite (one file)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "gateway-mirror-"));
      return {
        url: join(dir, "store.sqlite"),
        drop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  ],
  ["PostgreSQL (one database)", createTestDatabase],
];

const startProcess = useGatewayProcesses();

// biome-ignore lint/suspicious/noExplicitAny: each query reads the shape it selects
type Data = any;

async function graphql(url: string, query: string): Promise<Data> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data: Data; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

const syncingHere = async (url: string): Promise<boolean> =>
  (await graphql(url, "{ providers { provider mirror { syncingHere } } }")).providers.find(
    (status: Data) => status.provider === "MONEYBIRD",
  ).mirror.syncingHere;

const mirroredNames = async (url: string): Promise<string[]> =>
  (
    await graphql(
      url,
      "query @mirror(maxAgeSeconds: 60) { contacts(first: 50, filter: { providers: [MONEYBIRD] }) { edges { node { ... on MoneybirdContact { companyName } } } } }",
    )
  ).contacts.edges.map((edge: Data) => edge.node.companyName);

async function eventually(ms: number, check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

describe.each(DIALECTS)("the mirror's sync on a shared store: %s", (_dialect, createLocation) => {
  let moneybird: FakeMoneybird | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await moneybird?.close();
    await drop?.();
  });

  it("is run by one instance; a killed syncing instance is replaced by the other", {
    timeout: 60_000,
  }, async () => {
    moneybird = await startFakeMoneybird();
    const location = await createLocation();
    drop = location.drop;
    const upstream = upstreamOf({ MONEYBIRD: moneybird });
    await upstream.createMoneybirdContact({ company_name: "Before Kill BV" });
    const env = {
      STORE_URL: location.url,
      MONEYBIRD_API_TOKEN: moneybird.config.apiToken,
      MONEYBIRD_ADMINISTRATION_ID: moneybird.config.administrationId,
      MONEYBIRD_BASE_URL: moneybird.origin,
      MONEYBIRD_RATE_LIMITS: unreachedRateLimitsEnv("MONEYBIRD"),
      MIRROR: "on",
      MIRROR_INTERVAL_S: "1",
    };
    const instances = [0, 1].map(() => startProcess(["--import", "tsx", "src/main.ts"], env));
    const urls = await Promise.all(instances.map((instance) => instance.url));
    await eventually(15_000, async () => {
      for (const url of urls) expect(await mirroredNames(url)).toEqual(["Before Kill BV"]);
    });
    const holders = await Promise.all(urls.map(syncingHere));
    expect(holders.filter(Boolean)).toHaveLength(1);

    const holder = holders.indexOf(true);
    const other = 1 - holder;
    instances[holder]?.child.kill("SIGKILL");
    await upstream.createMoneybirdContact({ company_name: "After Kill BV" });
    // The lease lasts three heartbeats (3 s at a 1 s interval); then one round.
    await eventually(10_000, async () => {
      expect(await syncingHere(urls[other] as string)).toBe(true);
      expect((await mirroredNames(urls[other] as string)).sort()).toEqual([
        "After Kill BV",
        "Before Kill BV",
      ]);
    });
    expect(moneybird.violations).toEqual([]);
  });
});
