import { afterEach, describe, expect, it } from "vitest";
import type { Provider } from "../../src/domain/common.ts";
import { DOCUMENTED_RATE_LIMITS } from "../../src/providers/rate-limits.ts";
import { encodeGlobalId } from "../../src/schema/global-id.ts";
import type { ReceivedRequest } from "../fakes/exchange.ts";
import { waves } from "../fakes/meter.ts";
import { executeOk } from "../support/graphql.ts";
import { type FaultHarness, openFaultHarness } from "./harness.ts";

/**
 * Round trips, not timings: every fake answers after LATENCY_MS, so requests the gateway sends
 * together arrive as one wave and a request that waits for another's answer starts a new one. Each
 * reference operation makes the fewest requests in the fewest waves its data allows.
 */

const LATENCY_MS = 200;
/**
 * Well below the latency (a request sent after an answer arrives at least LATENCY_MS later), and
 * well above the time a busy machine takes to send one wave's dozens of requests.
 */
const WAVE_GAP_MS = 100;

let open: (FaultHarness & { close(): Promise<void> }) | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

/** All three fakes live behind a fresh gateway with `env`, each seeded by `seed`, then slowed to LATENCY_MS. */
async function harness(env: Record<string, string> = {}, seed?: (harness: FaultHarness) => Promise<void>) {
  // Pages of 200 Productive records are past the fault tests' small body cap, and the latency near their timeout.
  open = await openFaultHarness({
    UPSTREAM_MAX_BODY_BYTES: String(8 * 1024 * 1024),
    UPSTREAM_TIMEOUT_MS: "5000",
    ...env,
  });
  await seed?.(open);
  for (const fake of Object.values(open.fakes())) {
    fake.clearRequests();
    fake.setLatency(LATENCY_MS);
  }
  return open;
}

/** What every fake received, as "METHOD path" per wave, each wave sorted. */
function wavesAtTheFakes(harness: FaultHarness): string[][] {
  const requests: ReceivedRequest[] = Object.values(harness.fakes()).flatMap((fake) => fake.requests);
  return waves(requests, WAVE_GAP_MS).map((wave) =>
    wave.map((request) => `${request.method} ${request.path}`).sort(),
  );
}

const documentedLimits = (provider: Provider) =>
  DOCUMENTED_RATE_LIMITS[provider].map(({ limit, seconds }) => `${limit}/${seconds}`).join(",");

/** The merged page of the reference operation: Moneybird's contacts with their people, then FreeAgent's. */
const CONTACTS_PAGE = `{ contacts(first: 50) { pageInfo { hasNextPage } edges { node { provider displayName
  ... on MoneybirdContact { contactPersons(first: 5) { edges { node { firstName } } } } } } } }`;

/** 20 Moneybird contacts, each with a contact person, and 100 FreeAgent contacts. */
async function seedContacts({ fakes, gateway }: FaultHarness) {
  for (let i = 0; i < 20; i++) {
    await gateway().sources.moneybirdContacts.create({
      companyName: `Moneybird ${i}`,
      contactPerson: { firstName: `Person ${i}`, lastName: "Jansen" },
    });
  }
  for (let i = 0; i < 100; i++) fakes().FREEAGENT.seed({ organisation_name: `FreeAgent ${i}` });
}

describe("round trips of the reference operations", () => {
  it("reads a page of companies, then entries page 1, then the other entry pages in one wave", async () => {
    const h = await harness({}, async ({ fakes }) => {
      const productive = fakes().PRODUCTIVE;
      for (let i = 0; i < 100; i++) {
        const company = productive.addCompany({ name: `Company ${String(i).padStart(3, "0")}` });
        for (let j = 0; j < 6; j++)
          productive.addContactEntry(company.id, { email: `${j}@${company.id}.example` });
      }
    });

    const data = await executeOk(
      h.gateway(),
      `{ companies(first: 100) { edges { node { name contactEntries(first: 10) {
           edges { node { email company { name } } } } } } } }`,
    );

    expect(data.companies.edges).toHaveLength(100);
    expect(data.companies.edges[7].node.contactEntries.edges).toHaveLength(6);
    // 600 entries are 3 pages of 200: page 1 names the count, pages 2 and 3 go out together.
    expect(wavesAtTheFakes(h)).toEqual([
      ["GET /api/v2/companies"],
      ["GET /api/v2/contact_entries"],
      ["GET /api/v2/contact_entries", "GET /api/v2/contact_entries"],
    ]);
    const entryPages = h
      .fakes()
      .PRODUCTIVE.requests.slice(1)
      .map((request) => request.query.get("page[number]"));
    expect(entryPages.sort()).toEqual(["1", "2", "3"]);
  });

  it("lists entries with their companies, and creates a company, in one request each", async () => {
    const h = await harness({}, async ({ fakes }) => {
      const company = fakes().PRODUCTIVE.addCompany({ name: "Client" });
      fakes().PRODUCTIVE.addContactEntry(company.id);
    });

    await executeOk(
      h.gateway(),
      "{ contactEntries(first: 100) { edges { node { email company { name } } } } }",
    );
    expect(wavesAtTheFakes(h)).toEqual([["GET /api/v2/contact_entries"]]);

    h.fakes().PRODUCTIVE.clearRequests();
    const created = await executeOk(
      h.gateway(),
      `mutation { createCompany(input: { name: "ACME" }) { ... on CreateCompanySuccess { company { id companyCode } } } }`,
    );
    expect(created.createCompany.company.id).toEqual(expect.any(String));
    expect(wavesAtTheFakes(h)).toEqual([["POST /api/v2/companies"]]);
  });

  it("asks Moneybird and FreeAgent for a merged page in one wave while FreeAgent's budget has room", async () => {
    const h = await harness({}, seedContacts);

    const data = await executeOk(h.gateway(), CONTACTS_PAGE);

    const providers = data.contacts.edges.map((edge: { node: { provider: string } }) => edge.node.provider);
    expect(providers).toEqual([...Array(20).fill("MONEYBIRD"), ...Array(30).fill("FREEAGENT")]);
    expect(data.contacts.edges[3].node.contactPersons.edges).toEqual([{ node: { firstName: "Person 3" } }]);
    expect(data.contacts.pageInfo.hasNextPage).toBe(true);
    expect(wavesAtTheFakes(h)).toEqual([["GET /api/v2/123/contacts.json", "GET /v2/contacts"]]);
  });

  it("asks FreeAgent after Moneybird, for what the page still needs, when its budget is low", async () => {
    // 20 per minute leaves 6 at once, fewer than asking ahead keeps in reserve.
    const h = await harness({ FREEAGENT_RATE_LIMITS: "20/60" }, seedContacts);

    const data = await executeOk(h.gateway(), CONTACTS_PAGE);

    expect(data.contacts.edges).toHaveLength(50);
    expect(wavesAtTheFakes(h)).toEqual([["GET /api/v2/123/contacts.json"], ["GET /v2/contacts"]]);
    expect(h.fakes().FREEAGENT.requests[0]?.query.get("per_page")).toBe("30");
  });

  it("reads 100 mixed ids in one wave within the documented budgets", async () => {
    const ids: string[] = [];
    const h = await harness(
      {
        PRODUCTIVE_RATE_LIMITS: documentedLimits("PRODUCTIVE"),
        MONEYBIRD_RATE_LIMITS: documentedLimits("MONEYBIRD"),
        FREEAGENT_RATE_LIMITS: documentedLimits("FREEAGENT"),
      },
      async ({ fakes, gateway }) => {
        for (let i = 0; i < 25; i++) {
          const company = fakes().PRODUCTIVE.addCompany({ name: `Company ${i}` });
          const entry = fakes().PRODUCTIVE.addContactEntry(company.id);
          const contact = await gateway().sources.moneybirdContacts.create({ companyName: `Moneybird ${i}` });
          ids.push(
            encodeGlobalId("Company", company.id),
            encodeGlobalId("ContactEntry", entry.id),
            encodeGlobalId("MoneybirdContact", contact.id),
            encodeGlobalId(
              "FreeAgentContact",
              fakes().FREEAGENT.seed({ organisation_name: `FreeAgent ${i}` }),
            ),
          );
        }
      },
    );

    const data = await executeOk(h.gateway(), "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", { ids });

    expect(data.nodes.map((node: { id: string }) => node.id)).toEqual(ids);
    const [wave, ...later] = wavesAtTheFakes(h);
    expect(later).toEqual([]);
    // Companies in one batch read, Moneybird contacts in one synchronization call, one GET per entry and per FreeAgent contact.
    expect(wave).toHaveLength(1 + 1 + 25 + 25);
    expect(wave?.filter((call) => call === "GET /api/v2/companies")).toHaveLength(1);
    expect(wave?.filter((call) => call === "POST /api/v2/123/contacts/synchronization.json")).toHaveLength(1);
  });
});
