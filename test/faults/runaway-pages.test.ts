import { describe, expect, it } from "vitest";
import { providerCursor } from "../../src/schema/connection.ts";
import { companyRecord, contactEntryRecord, listDocument } from "../fakes/productive.ts";
import { execute, executeOk } from "../support/graphql.ts";
import {
  expectAlive,
  FREEAGENT,
  listed,
  MONEYBIRD,
  onlyError,
  PRODUCTIVE,
  PROVIDERS,
  received,
  SEEDED_NAME,
  seeded,
  useFaultHarness,
} from "./harness.ts";

/**
 * Lists whose every page claims another (`claimRunawayPages`): a window of a list reads the one or
 * two pages that cover it and stops, whatever follows; a Productive full scan refuses a list that
 * claims more pages than it would follow (25) on its first page, and follows one that claims 25 to
 * its end. Either way the query answers typed.
 */

const harness = useFaultHarness();
/** The most pages a full scan follows (docs/upstream-protection.md, "Page caps"). */
const MAX_PAGES_PER_READ = 25;

describe.each(PROVIDERS)("a $provider window of a runaway list", (under) => {
  it("reads the one page a first page needs", async () => {
    const fake = await seeded(harness, under);
    fake.claimRunawayPages(true);

    const data = await executeOk(harness.gateway(), under.list);

    expect(listed(data)).toEqual([SEEDED_NAME]);
    expect(received(fake)).toEqual([`GET ${under.listPath}`]);
  });
});

describe.each([MONEYBIRD, FREEAGENT])("a $provider window of a runaway list", (under) => {
  // Productive's pages go up to 200 records, so one page holds any window of at most 100.
  it("reads the two pages a window across pages needs, and no more", async () => {
    const fake = await seeded(harness, under);
    fake.claimRunawayPages(true);

    const data = await executeOk(
      harness.gateway(),
      `query ($after: String) { contacts(filter: { providers: [${under.provider}] }, first: 100, after: $after) {
           pageInfo { hasNextPage } } }`,
      { after: providerCursor({ provider: under.provider, offset: 0 }) },
    );

    expect(data.contacts.pageInfo.hasNextPage).toBe(true);
    expect(received(fake)).toEqual([`GET ${under.listPath}`, `GET ${under.listPath}`]);
    expect(fake.requests.map((request) => request.query.get("page"))).toEqual(["1", "2"]);
  });
});

describe("a Productive full scan of a runaway list", () => {
  const ENTRIES_OF_COMPANIES = `{ list: companies(first: 5) { edges { node { name
    contactEntries(first: 5) { totalCount } } } } }`;

  it("is refused on its first page for a company's entries: UPSTREAM_BAD_RESPONSE on that field alone", async () => {
    const fake = await seeded(harness, PRODUCTIVE);
    fake.claimRunawayPages(true);

    const result = await execute(harness.gateway(), ENTRIES_OF_COMPANIES);

    expect(result.data.list.edges).toEqual([{ node: { name: SEEDED_NAME, contactEntries: null } }]);
    expect(onlyError(result)).toEqual({ code: "UPSTREAM_BAD_RESPONSE", provider: "PRODUCTIVE" });
    expect(result.errors?.[0]?.path).toEqual(["list", "edges", 0, "node", "contactEntries"]);
    expect(result.errors?.[0]?.message).toMatch(`at most ${MAX_PAGES_PER_READ} pages`);
    expect(received(fake)).toEqual(["GET /api/v2/companies", "GET /api/v2/contact_entries"]);
    await expectAlive(harness.gateway());
  });

  it("is refused on its first page for entries by type: BAD_USER_INPUT", async () => {
    const fake = await seeded(harness, PRODUCTIVE);
    fake.claimRunawayPages(true);

    const result = await execute(
      harness.gateway(),
      "{ contactEntries(filter: { types: [EMAIL] }) { totalCount } }",
    );

    expect(result.data.contactEntries).toBeNull();
    expect(onlyError(result)).toEqual({ code: "BAD_USER_INPUT" });
    expect(received(fake)).toEqual(["GET /api/v2/contact_entries"]);
    await expectAlive(harness.gateway());
  });

  it(`follows a company's entries that claim ${MAX_PAGES_PER_READ} pages to the last`, async () => {
    const fake = PRODUCTIVE.fake(harness.fakes());
    const company = companyRecord("1", { name: SEEDED_NAME });
    const size = 200;
    fake.failNext({ status: 200, body: listDocument([company], { number: 1, size: 5, totalCount: 1 }) });
    fake.failNext(
      {
        status: 200,
        body: listDocument([contactEntryRecord("2", company.id)], {
          number: 1,
          size,
          totalCount: MAX_PAGES_PER_READ * size,
        }),
      },
      MAX_PAGES_PER_READ,
    );

    const data = await executeOk(harness.gateway(), ENTRIES_OF_COMPANIES);

    expect(data.list.edges).toHaveLength(1);
    expect(received(fake)).toEqual([
      "GET /api/v2/companies",
      ...Array.from({ length: MAX_PAGES_PER_READ }, () => "GET /api/v2/contact_entries"),
    ]);
    expect(fake.requests.slice(1).map((request) => request.query.get("page[number]"))).toEqual(
      Array.from({ length: MAX_PAGES_PER_READ }, (_, index) => String(index + 1)),
    );
  });
});
