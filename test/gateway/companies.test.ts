import { beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalId } from "../../src/schema/global-id.ts";
import { SEED_SIZE } from "../../src/store/seed.ts";
import { type ConnectionPage, nodesOfWalk, useGateway, walkConnection } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";

interface CompanyRow {
  id: string;
  remoteId: string;
  name: string;
  billingName: string | null;
  companyCode: string;
  vat: string | null;
  defaultCurrency: string | null;
  dueDays: number | null;
  tags: string[];
  status: "ACTIVE" | "ARCHIVED";
  archivedAt: string | null;
  createdAt: string;
  lastActivityAt: string | null;
}

const COMPANIES = `
  query Companies($first: Int, $after: String, $filter: CompanyFilter, $orderBy: CompanyOrder) {
    companies(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      edges {
        cursor
        node {
          id remoteId name billingName companyCode vat defaultCurrency dueDays tags status archivedAt
          createdAt lastActivityAt
        }
      }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
`;

const gateway = useGateway("all");

async function walkCompanies(first: number, variables: Record<string, unknown> = {}): Promise<CompanyRow[]> {
  return nodesOfWalk(
    await walkConnection<CompanyRow>(gateway(), COMPANIES, "companies", first, variables),
    first,
  );
}

describe("companies", () => {
  let pages: ConnectionPage<CompanyRow>[];
  let all: CompanyRow[];
  beforeAll(async () => {
    pages = await walkConnection<CompanyRow>(gateway(), COMPANIES, "companies", 100);
    all = nodesOfWalk(pages, 100);
  });

  it("walks to the end in pages of any size: no duplicates, no gaps, totalCount equal to the companies seen", async () => {
    expect(all).toHaveLength(SEED_SIZE.productiveCompanies);
    const inSevens = await walkCompanies(7);
    expect(inSevens.map((company) => company.id)).toEqual(all.map((company) => company.id));
  });

  it("answers first: 0 with no edges, and after the last cursor with an empty last page", async () => {
    const empty = await executeOk(gateway(), COMPANIES, { first: 0 });
    expect(empty.companies.edges).toEqual([]);
    expect(empty.companies.pageInfo.hasNextPage).toBe(true);

    const beyond = await executeOk(gateway(), COMPANIES, {
      first: 10,
      after: pages.at(-1)?.pageInfo.endCursor,
    });
    expect(beyond.companies.edges).toEqual([]);
    expect(beyond.companies.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(beyond.companies.totalCount).toBe(SEED_SIZE.productiveCompanies);
  });

  it("orders by name by default, and by each order field in both directions", async () => {
    const names = all.map((company) => company.name.toLowerCase());
    expect(names).toEqual([...names].sort());

    const byNameDesc = await walkCompanies(100, { orderBy: { field: "NAME", direction: "DESC" } });
    expect(byNameDesc.map((company) => company.id)).toEqual(all.map((company) => company.id).reverse());

    const byCreation = await walkCompanies(100, { orderBy: { field: "CREATED_AT" } });
    const created = byCreation.map((company) => Date.parse(company.createdAt));
    expect(created).toEqual([...created].sort((a, b) => a - b));

    const byActivity = await walkCompanies(100, {
      orderBy: { field: "LAST_ACTIVITY_AT", direction: "DESC" },
    });
    const activity = byActivity.map((company) => Date.parse(company.lastActivityAt ?? ""));
    expect(activity).toEqual([...activity].sort((a, b) => b - a));
  });

  describe("each filter selects exactly the companies it names", () => {
    const some = <T>(items: T[], pick: (item: T) => boolean): T => {
      const found = items.find(pick);
      if (!found) throw new Error("the seed has no company to filter on");
      return found;
    };
    const cases: [string, () => { filter: Record<string, unknown>; expected: (c: CompanyRow) => boolean }][] =
      [
        [
          "ids",
          () => {
            const ids = [all[3], all[150], all[42]].map((company) => company?.id as string);
            return { filter: { ids }, expected: (c) => ids.includes(c.id) };
          },
        ],
        [
          "name (contains, any case)",
          () => ({ filter: { name: "HARBOR" }, expected: (c) => /harbor/i.test(c.name) }),
        ],
        [
          "companyCode",
          () => {
            const code = (all[17] as CompanyRow).companyCode;
            return { filter: { companyCode: code }, expected: (c) => c.companyCode === code };
          },
        ],
        [
          "billingName (contains)",
          () => ({ filter: { billingName: "gmbh" }, expected: (c) => /gmbh/i.test(c.billingName ?? "") }),
        ],
        [
          "vat",
          () => {
            const vat = some(all, (c) => c.vat !== null).vat;
            return { filter: { vat }, expected: (c) => c.vat === vat };
          },
        ],
        [
          "defaultCurrency",
          () => ({ filter: { defaultCurrency: "GBP" }, expected: (c) => c.defaultCurrency === "GBP" }),
        ],
        ["status", () => ({ filter: { status: "ARCHIVED" }, expected: (c) => c.status === "ARCHIVED" })],
        [
          "tags (any of)",
          () => ({
            filter: { tags: ["priority", "agency"] },
            expected: (c) => c.tags.includes("priority") || c.tags.includes("agency"),
          }),
        ],
        ["dueDays", () => ({ filter: { dueDays: 45 }, expected: (c) => c.dueDays === 45 })],
        [
          "createdAfter (exclusive)",
          () => {
            const at = (all[0] as CompanyRow).createdAt;
            return {
              filter: { createdAfter: at },
              expected: (c) => Date.parse(c.createdAt) > Date.parse(at),
            };
          },
        ],
        [
          "createdBefore (exclusive)",
          () => {
            const at = (all[0] as CompanyRow).createdAt;
            return {
              filter: { createdBefore: at },
              expected: (c) => Date.parse(c.createdAt) < Date.parse(at),
            };
          },
        ],
      ];

    it.each(cases)("%s", async (_name, build) => {
      const { filter, expected } = build();
      const wanted = all.filter(expected).map((company) => company.id);
      expect(wanted.length).toBeGreaterThan(0);
      expect(wanted.length).toBeLessThan(all.length);
      const found = await walkCompanies(100, { filter });
      expect(found.map((company) => company.id)).toEqual(wanted);
    });

    it("combines filters with AND", async () => {
      const found = await walkCompanies(100, { filter: { defaultCurrency: "EUR", status: "ARCHIVED" } });
      const wanted = all.filter((c) => c.defaultCurrency === "EUR" && c.status === "ARCHIVED");
      expect(found.map((company) => company.id)).toEqual(wanted.map((company) => company.id));
      expect(found.every((company) => company.archivedAt !== null)).toBe(true);
    });
  });

  it("pages a company's contact entries and filters them by type", async () => {
    const ENTRIES = `
      query Entries($id: ID!, $first: Int, $after: String, $type: [ContactEntryType!]) {
        node(id: $id) {
          ... on Company {
            contactEntries(first: $first, after: $after, type: $type) {
              totalCount
              edges { cursor node { id type company { id } } }
              pageInfo { hasNextPage hasPreviousPage endCursor }
            }
          }
        }
      }
    `;
    const company = all[0] as CompanyRow;
    const everything = (await executeOk(gateway(), ENTRIES, { id: company.id })).node.contactEntries;
    expect(everything.totalCount).toBeGreaterThanOrEqual(3);
    expect(
      everything.edges.every(
        (edge: { node: { company: { id: string } } }) => edge.node.company.id === company.id,
      ),
    ).toBe(true);

    const inTwos = await walkConnection<{ id: string }>(
      gateway(),
      ENTRIES,
      (data) => data.node.contactEntries,
      2,
      { id: company.id },
    );
    expect(nodesOfWalk(inTwos, 2).map((entry) => entry.id)).toEqual(
      everything.edges.map((edge: { node: { id: string } }) => edge.node.id),
    );

    const typed = (await executeOk(gateway(), ENTRIES, { id: company.id, type: ["EMAIL", "PHONE"] })).node
      .contactEntries;
    const wanted = everything.edges.filter((edge: { node: { type: string } }) =>
      ["EMAIL", "PHONE"].includes(edge.node.type),
    );
    expect(typed.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual(
      wanted.map((edge: { node: { id: string } }) => edge.node.id),
    );
    expect(typed.totalCount).toBe(wanted.length);
  });

  describe("refuses bad paging arguments with BAD_USER_INPUT and no data", () => {
    it.each([
      ["first over the limit", { first: 101 }],
      ["negative first", { first: -1 }],
      ["a cursor that is not one", { after: "not-a-cursor" }],
      [
        "a cursor of the contacts connection",
        { after: Buffer.from("contacts:MONEYBIRD:3").toString("base64") },
      ],
      [
        "a cursor of the contactEntries connection",
        { after: Buffer.from("contactEntries:3").toString("base64") },
      ],
      [
        "a cursor past any safe offset",
        { after: Buffer.from("companies:999999999999999999999").toString("base64") },
      ],
      ["a cursor in non-canonical base64", { after: "Y29tcGFuaWVzOjM" }],
      ["a filter id of another type", { filter: { ids: [encodeGlobalId("ContactEntry", "1")] } }],
      ["a filter id that is not an id", { filter: { ids: ["garbage"] } }],
    ])("%s", async (_name, variables) => {
      const result = await execute(gateway(), COMPANIES, variables);
      expect(result.data.companies).toBeNull();
      expect(result.errors).toHaveLength(1);
      expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(result.errors?.[0]?.path).toEqual(["companies"]);
    });

    it.each(["2024-02-30T00:00:00Z", "2024-13-01", "2024-01-01T24:00:00Z", "yesterday"])(
      "refuses the DateTime %s (no rolling over into another day)",
      async (createdAfter) => {
        const result = await execute(gateway(), COMPANIES, { filter: { createdAfter } });
        expect(result.data).toBeUndefined();
        expect(result.errors?.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
      },
    );

    it("over-limit first on a company's contact entries: no entries, while the companies stand (the field is nullable)", async () => {
      const result = await execute(
        gateway(),
        `{ companies(first: 2) { edges { node { name contactEntries(first: 500) { totalCount } } } } }`,
      );
      expect(result.data.companies.edges).toEqual(
        all.slice(0, 2).map((company) => ({ node: { name: company.name, contactEntries: null } })),
      );
      expect(result.errors?.[0]).toMatchObject({
        path: ["companies", "edges", 0, "node", "contactEntries"],
        extensions: { code: "BAD_USER_INPUT" },
      });
      expect(result.errors?.map((error) => error.path)).toEqual([
        ["companies", "edges", 0, "node", "contactEntries"],
        ["companies", "edges", 1, "node", "contactEntries"],
      ]);
      expect(result.errors?.every((error) => error.extensions?.code === "BAD_USER_INPUT")).toBe(true);
    });
  });
});
