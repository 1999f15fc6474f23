import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { Database } from "../src/store/database.ts";
import { openDatabase } from "../src/store/dialect.ts";
import { migrateToLatest } from "../src/store/migrations.ts";
import { seedDemoData } from "../src/store/seed.ts";
import { pathAndQuery, unreachedRateLimitsEnv } from "../test/fakes/exchange.ts";
import type { FakeServer } from "../test/fakes/fake-server.ts";
import { type FakeFreeAgent, startFakeFreeAgent } from "../test/fakes/freeagent.ts";
import { type FakeMoneybird, startFakeMoneybird } from "../test/fakes/moneybird.ts";
import { type FakeProductive, startFakeProductive } from "../test/fakes/productive.ts";
import { createTestDatabase } from "../test/support/postgres-databases.ts";

/**
 * What a gateway is benchmarked against: the three fake upstreams (live mode), the same fakes
 * mirrored into a store (MIRROR=on, read with `@mirror`) or a seeded store. Each target is a
 * function returning the environment of a gateway that serves it; a new store backend (Postgres)
 * is one more entry in STORE_BACKENDS.
 */
export interface Target {
  name: string;
  kind: "live" | "mirror" | "store";
  /** The `@mirror(maxAgeSeconds:)` the mirror target's query operations are sent with; null elsewhere. */
  mirrorMaxAgeSeconds: number | null;
  /** The variables that point a gateway at this target. */
  env: Record<string, string>;
  /** The fakes' request log, for live targets; null where no upstream is called. */
  upstream: Upstream | null;
  close(): Promise<void>;
}

/** One request a fake received, with when it arrived (performance.now(), ms). */
export interface UpstreamRequest {
  provider: string;
  method: string;
  /** Path and query string. */
  target: string;
  receivedAt: number;
}

export interface Upstream {
  requests(): UpstreamRequest[];
  clear(): void;
  setLatency(ms: number): void;
  /** Where the Moneybird fake is and how it is called, for the plain-fetch replay. */
  moneybird: { origin: string; token: string };
  /** Exchanges that broke Moneybird's OpenAPI document: none expected. */
  violations(): string[];
}

/**
 * The live data: sizes like the store's demo data (220 of each), with 2 entries per company so that
 * the entries of a page of 100 companies fit in one Productive page of 200 (docs/productive.md).
 */
export const LIVE_DATA = {
  companies: 220,
  entriesPerCompany: 2,
  moneybirdContacts: 220,
  freeAgentContacts: 220,
} as const;

export async function liveTarget(latencyMs: number): Promise<Target> {
  const [productive, moneybird, freeAgent] = await Promise.all([
    startFakeProductive(),
    startFakeMoneybird(),
    startFakeFreeAgent(),
  ]);
  await seedFakes(productive, moneybird, freeAgent);
  const fakes: [string, FakeServer][] = [
    ["PRODUCTIVE", productive],
    ["MONEYBIRD", moneybird],
    ["FREEAGENT", freeAgent],
  ];
  const upstream: Upstream = {
    requests: () =>
      fakes.flatMap(([provider, fake]) =>
        fake.requests.map((request) => ({
          provider,
          method: request.method,
          target: pathAndQuery(request),
          receivedAt: request.receivedAt,
        })),
      ),
    clear: () => {
      for (const [, fake] of fakes) fake.clearRequests();
    },
    setLatency: (ms) => {
      for (const [, fake] of fakes) fake.setLatency(ms);
    },
    moneybird: { origin: moneybird.origin, token: moneybird.config.apiToken },
    violations: () => moneybird.violations,
  };
  upstream.clear();
  upstream.setLatency(latencyMs);
  return {
    name: "live",
    kind: "live",
    mirrorMaxAgeSeconds: null,
    env: {
      PRODUCTIVE_API_TOKEN: productive.config.apiToken,
      PRODUCTIVE_ORGANIZATION_ID: productive.config.organizationId,
      PRODUCTIVE_BASE_URL: productive.origin,
      MONEYBIRD_API_TOKEN: moneybird.config.apiToken,
      MONEYBIRD_ADMINISTRATION_ID: moneybird.config.administrationId,
      MONEYBIRD_BASE_URL: moneybird.origin,
      FREEAGENT_ACCESS_TOKEN: freeAgent.config.accessToken,
      FREEAGENT_BASE_URL: freeAgent.origin,
      // Load far beyond a real credential's budget: the bench measures the gateway, not the limiter.
      PRODUCTIVE_RATE_LIMITS: unreachedRateLimitsEnv("PRODUCTIVE"),
      MONEYBIRD_RATE_LIMITS: unreachedRateLimitsEnv("MONEYBIRD"),
      FREEAGENT_RATE_LIMITS: unreachedRateLimitsEnv("FREEAGENT"),
    },
    upstream,
    close: async () => {
      await Promise.all(fakes.map(([, fake]) => fake.close()));
    },
  };
}

/** How stale a mirror read the mirror target allows: far more than a bench run lasts. */
export const MIRROR_MAX_AGE_SECONDS = 86_400;
/**
 * Between two sync rounds: longer than any run, so the only round is the one the gateway starts
 * with (the bench waits for it) and none runs while the rounds are measured.
 */
const MIRROR_INTERVAL_SECONDS = 3_600;

/**
 * Fakes seeded as the live target's (their own, so that the live target's createCompany rounds do
 * not grow what the mirror syncs), mirrored by the gateway into a new SQLite file (MIRROR=on):
 * its query operations are sent with `@mirror(maxAgeSeconds: MIRROR_MAX_AGE_SECONDS)`.
 */
export async function mirrorTarget(latencyMs: number): Promise<Target> {
  const live = await liveTarget(latencyMs);
  const folder = mkdtempSync(join(tmpdir(), "contacts-bench-mirror-"));
  return {
    ...live,
    name: "mirror",
    kind: "mirror",
    mirrorMaxAgeSeconds: MIRROR_MAX_AGE_SECONDS,
    env: {
      ...live.env,
      MIRROR: "on",
      MIRROR_INTERVAL_S: String(MIRROR_INTERVAL_SECONDS),
      STORE_URL: join(folder, "mirror.sqlite"),
    },
    close: async () => {
      await live.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Productive and FreeAgent through the fakes' fixtures; Moneybird, which has none, through its API. */
async function seedFakes(productive: FakeProductive, moneybird: FakeMoneybird, freeAgent: FakeFreeAgent) {
  const number = (i: number) => String(i + 1).padStart(3, "0");
  for (let i = 0; i < LIVE_DATA.companies; i++) {
    const domain = `company${number(i)}.example`;
    const company = productive.addCompany({ name: `Company ${number(i)}`, domain, tag_list: ["client"] });
    productive.addContactEntry(company.id, { type: "email", name: "General", email: `info@${domain}` });
    productive.addContactEntry(company.id, {
      type: "phone",
      name: "Office",
      phone: `+31 20 555 ${number(i)}`,
    });
  }
  for (let i = 0; i < LIVE_DATA.freeAgentContacts; i++) {
    freeAgent.seed({
      organisation_name: `Supplier ${number(i)} Ltd`,
      email: `accounts@supplier${number(i)}.example`,
    });
  }
  const contacts = `${moneybird.origin}/api/v2/${moneybird.config.administrationId}/contacts`;
  const post = async (url: string, body: unknown) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${moneybird.config.apiToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`seeding Moneybird: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  for (let i = 0; i < LIVE_DATA.moneybirdContacts; i++) {
    const { id } = await post(`${contacts}.json`, {
      contact: {
        company_name: `Klant ${number(i)} B.V.`,
        send_invoices_to_email: `factuur@klant${number(i)}.example`,
      },
    });
    // 0 to 3 people, as the store's seed gives its companies.
    for (let person = 0; person < i % 4; person++) {
      await post(`${contacts}/${id}/contact_people.json`, {
        contact_person: {
          firstname: `Persoon ${person + 1}`,
          lastname: `Klant ${number(i)}`,
          email: `p${person}@klant${number(i)}.example`,
        },
      });
    }
  }
}

/** A store backend: creates a store holding `scale`× the demo data, and says how a gateway opens it. */
type StoreBackend = (scale: number) => Promise<Target>;

export const STORE_BACKENDS: Record<string, StoreBackend> = {
  sqlite: sqliteStore,
  postgres: postgresStore,
};

/** Migrates and seeds `scale`× the demo data with the store's own code, as a gateway would at 1×. */
async function migrateAndSeed(db: Kysely<Database>, scale: number) {
  try {
    await migrateToLatest(db);
    await db.transaction().execute((trx) => seedDemoData(trx, { scale }));
  } finally {
    await db.destroy();
  }
}

/**
 * A SQLite file seeded before the gateway starts (a gateway seeds only an empty store, at 1×),
 * migrated and seeded by the store's own code.
 */
async function sqliteStore(scale: number): Promise<Target> {
  const folder = mkdtempSync(join(tmpdir(), "contacts-bench-"));
  const file = join(folder, `store-${scale}x.sqlite`);
  const database = new SQLite(file);
  database.pragma("journal_mode = WAL");
  database.pragma("foreign_keys = ON");
  await migrateAndSeed(new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), scale);
  return {
    name: `store ${scale}×`,
    kind: "store",
    mirrorMaxAgeSeconds: null,
    env: { STORE_URL: file },
    upstream: null,
    close: async () => rmSync(folder, { recursive: true, force: true }),
  };
}

/**
 * A new database on the local PostgreSQL (the one the tests use: 127.0.0.1:5432, trust auth),
 * seeded before the gateway starts, and dropped afterwards.
 */
async function postgresStore(scale: number): Promise<Target> {
  const database = await createTestDatabase();
  await migrateAndSeed(openDatabase({ url: database.url, poolSize: 1, log: undefined }), scale);
  return {
    name: `store ${scale}× (PostgreSQL)`,
    kind: "store",
    mirrorMaxAgeSeconds: null,
    env: { STORE_URL: database.url },
    upstream: null,
    close: () => database.drop(),
  };
}
