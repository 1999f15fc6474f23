import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FreeAgentContactFilter } from "../../src/domain/index.ts";
import { ValidationError } from "../../src/errors.ts";
import type { FreeAgentContactSource } from "../../src/ports.ts";
import { createFreeAgentSources } from "../../src/sources/freeagent/index.ts";
import { type FakeFreeAgent, FREEAGENT_RATE_LIMIT, startFakeFreeAgent } from "../fakes/freeagent.ts";

/** The live adapter end to end against the fake FreeAgent: what only FreeAgent has (views, sorts, its error shapes). */

let fake: FakeFreeAgent;
let source: FreeAgentContactSource;
let close: () => Promise<void>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  fake = await startFakeFreeAgent();
  const live = createFreeAgentSources(fake.config, { timeoutMs: 2_000 });
  source = live.freeAgentContacts;
  close = live.close;
  ids.acme = fake.seed(
    { organisation_name: "Acme Ltd" },
    { isClient: true, hasActiveProjects: true, hasOpenInvoices: true },
  );
  ids.zeta = fake.seed({ organisation_name: "Zeta BV" }, { isSupplier: true, hasOpenBills: true });
  ids.bob = fake.seed(
    { organisation_name: null, first_name: "Bob", last_name: "Baker" },
    { isClient: true, hasCompletedProjects: true },
  );
  ids.gone = fake.seed(
    { organisation_name: "Gone Inc", status: "Hidden" },
    { isClient: true, isSupplier: true },
  );
  for (let i = 0; i < 41; i++) fake.seed({ organisation_name: `Filler ${String(i).padStart(2, "0")}` });
});

afterAll(async () => {
  await close();
  await fake.close();
});

beforeEach(() => {
  fake.clearRequests();
  fake.setErrorShape("array");
});

const listIds = async (filter: FreeAgentContactFilter) =>
  (await source.list(filter, { offset: 0, limit: 100 })).items.map((contact) => contact.id);

describe("FreeAgent adapter against the fake upstream", () => {
  it.each([
    ["CLIENTS", ["acme", "bob", "gone"]],
    ["SUPPLIERS", ["zeta"]],
    ["ACTIVE_PROJECTS", ["acme"]],
    ["COMPLETED_PROJECTS", ["bob"]],
    ["OPEN_CLIENTS", ["acme"]],
    ["OPEN_SUPPLIERS", ["zeta"]],
    ["HIDDEN", ["gone"]],
  ] as const)("serves the %s view", async (view, expected) => {
    const found = await listIds({ view });
    expect(found.sort()).toEqual(expected.map((name) => ids[name]).sort());
  });

  it("serves active contacts unless told otherwise, and every contact for ALL", async () => {
    const active = await listIds({});
    expect(active).toHaveLength(44);
    expect(active).not.toContain(ids.gone);
    expect(await listIds({ view: "ALL" })).toHaveLength(45);
  });

  it("sorts by name (organisation, last, first name) both ways, and by timestamps", async () => {
    const byName = await listIds({ view: "ALL", sort: { field: "NAME", direction: "ASC" } });
    expect(byName.slice(0, 2)).toEqual([ids.acme, ids.bob]);
    expect(byName.at(-1)).toBe(ids.zeta);
    expect(await listIds({ view: "ALL", sort: { field: "NAME", direction: "DESC" } })).toEqual(
      [...byName].reverse(),
    );
    const byCreation = await listIds({ view: "ALL", sort: { field: "CREATED_AT", direction: "DESC" } });
    expect(byCreation.slice(-4)).toEqual([ids.gone, ids.bob, ids.zeta, ids.acme]);
  });

  it("walks every window size to the end without gaps or duplicates", async () => {
    const everyone = await listIds({ view: "ALL" });
    for (const limit of [1, 7, 20, 30, 44, 45, 100]) {
      const walked: string[] = [];
      for (let offset = 0, more = true; more; offset += limit) {
        const page = await source.list({ view: "ALL" }, { offset, limit });
        walked.push(...page.items.map((contact) => contact.id));
        expect(page.totalCount).toBe(45);
        more = page.hasNextPage;
      }
      expect(walked, `pages of ${limit}`).toEqual(everyone);
    }
  });

  it("lists what changed since a moment with updated_since", async () => {
    const before = fake.record(ids.zeta as string)?.updated_at as string;
    await source.update(ids.bob as string, { email: "bob@example.com" });

    expect(await listIds({ view: "ALL", updatedAfter: before })).toContain(ids.bob);
    expect(await listIds({ view: "ALL", updatedAfter: before })).not.toContain(ids.acme);
    expect(fake.contactRequests().at(-1)?.query.get("updated_since")).toBe(before);
  });

  it.each(["array", "object"] as const)(
    "reports the name rule in the %s error shape on input paths",
    async (shape) => {
      fake.setErrorShape(shape);

      const error = await source
        .create({ email: "nobody@example.com", firstName: "Ann" })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fieldErrors).toEqual([
        { path: ["lastName"], message: expect.any(String) },
      ]);
    },
  );

  it("sends an update only the attributes it changes", async () => {
    await source.update(ids.acme as string, { mobile: "0612345678", address: { city: "Leeds" } });

    const put = fake.contactRequests().find((r) => r.method === "PUT");
    expect(put?.body).toEqual({ contact: { mobile: "0612345678", town: "Leeds" } });
    expect(fake.record(ids.acme as string)).toMatchObject({
      mobile: "0612345678",
      town: "Leeds",
      address1: "11 George Street",
    });
  });

  it("passes on the documented 429 (Retry-After: 60, plain-text body), and pauses the credential for it", async () => {
    // Its own adapter: the pause it learns would hold up the other tests' requests.
    const paused = createFreeAgentSources(fake.config, {});
    fake.failNext(FREEAGENT_RATE_LIMIT);
    try {
      await expect(paused.freeAgentContacts.getByIds([ids.acme as string])).rejects.toMatchObject({
        code: "RATE_LIMITED",
        retryAfterSeconds: 60,
      });
      const sent = fake.requests.length;
      await expect(paused.freeAgentContacts.getByIds([ids.acme as string])).rejects.toMatchObject({
        code: "RATE_LIMITED",
        retryAfterSeconds: 60,
      });
      expect(fake.requests).toHaveLength(sent);
    } finally {
      await paused.close();
    }
  });

  it("sends a create that times out once: FreeAgent may still make it, so it is never retried", async () => {
    const impatient = createFreeAgentSources(fake.config, { timeoutMs: 100 });
    fake.setLatency(400);
    try {
      await expect(impatient.freeAgentContacts.create({ companyName: "Slow Ltd" })).rejects.toMatchObject({
        code: "TIMEOUT",
      });
    } finally {
      fake.setLatency(0);
      await impatient.close();
    }

    expect(fake.contactRequests().filter((r) => r.method === "POST")).toHaveLength(1);
  });
});
