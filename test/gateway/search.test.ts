import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createGateway } from "../../src/gateway.ts";
import { mutate, mutationDocument, nodesOfWalk, useGateway, walkConnection } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";
import { quietLogger } from "../support/logging.ts";

const SEARCH = `
  query Search($query: String!, $first: Int, $after: String) {
    search(query: $query, first: $first, after: $after) {
      totalCount
      searchedProviders
      edges {
        cursor
        score
        node {
          __typename
          ... on Node { id }
          ... on Company { name }
          ... on Contact { displayName }
          ... on ContactPerson { firstName lastName contact { id } }
        }
      }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
`;

interface Hit {
  __typename: string;
  id: string;
  name?: string;
  displayName?: string;
  firstName?: string;
  lastName?: string;
  contact?: { id: string };
}

const CREATE_CONTACT = mutationDocument("createContact", "input", "contact { id displayName }");
const DELETE_CONTACT = mutationDocument("deleteContact", "id", "deletedId");
const CREATE_COMPANY = mutationDocument("createCompany", "input", "company { id name }");

describe("search: over the seeded store", () => {
  const gateway = useGateway("all");
  const search = async (query: string, first = 20) =>
    (await executeOk(gateway(), SEARCH, { query, first })).search;

  it("finds records of every type, best first, naming the providers it searched", async () => {
    const result = await search("de");
    expect(result.searchedProviders).toEqual(["PRODUCTIVE", "MONEYBIRD", "FREEAGENT"]);
    const types = new Set(
      (await walkConnection<Hit>(gateway(), SEARCH, "search", 100, { query: "a" }))
        .flatMap((page) => page.edges)
        .map((edge) => edge.node.__typename),
    );
    expect(types).toEqual(new Set(["Company", "MoneybirdContact", "ContactPerson", "FreeAgentContact"]));
    const scores = result.edges.map((edge: { score: number }) => edge.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("pages with cursors to the end: every match once, totalCount the matches", async () => {
    const pages = await walkConnection<Hit>(gateway(), SEARCH, "search", 7, { query: "b" });
    const nodes = nodesOfWalk(pages, 7);
    expect(nodes.length).toBe(pages[0]?.totalCount);
    expect(nodes.length).toBeGreaterThan(14);
    const once = await executeOk(gateway(), SEARCH, { query: "b", first: 100 });
    // The walk's order is one order: its first 100 are the 100 of one page.
    expect(nodes.slice(0, 100).map((node) => node.id)).toEqual(
      once.search.edges.map((edge: { node: Hit }) => edge.node.id),
    );
  });

  it("answers a contact person with its contact, from the same page", async () => {
    const { edges } = await search("a", 100);
    const person = edges.find((edge: { node: Hit }) => edge.node.__typename === "ContactPerson")?.node as Hit;
    expect(person.contact?.id).toBeDefined();
  });

  it("finds nothing for punctuation alone, and reads query syntax as text", async () => {
    for (const query of ["?!.", '"', "*", "NEAR(", "-"]) {
      const result = await search(query);
      expect([result.totalCount, result.edges]).toEqual([0, []]);
    }
    const quoted = await search('"orbit"*');
    expect(quoted.edges.map((edge: { node: Hit }) => edge.node.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Orbit /)]),
    );
  });

  it("refuses an over-long query, and a cursor of another list, with BAD_USER_INPUT", async () => {
    const long = await execute(gateway(), SEARCH, { query: "a".repeat(10_001) });
    expect(long.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const words = await execute(gateway(), SEARCH, { query: Array(40).fill("word").join(" ") });
    expect(words.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const companies = await executeOk(gateway(), "{ companies(first: 1) { pageInfo { endCursor } } }");
    const foreign = await execute(gateway(), SEARCH, {
      query: "a",
      after: companies.companies.pageInfo.endCursor,
    });
    expect(foreign.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("search: in step with writes", () => {
  const gateway = useGateway("each");
  const names = async (query: string) =>
    (await executeOk(gateway(), SEARCH, { query })).search.edges.map(
      (edge: { node: Hit }) => edge.node.name ?? edge.node.displayName,
    );

  it("finds a record written through the gateway at once, accents folded, and not after its delete", async () => {
    const created = await mutate(gateway(), CREATE_CONTACT, {
      input: { provider: "FREEAGENT", companyName: "Bäckerei Müller", email: "info@baeckerei.example" },
    });
    expect(await names("muller")).toEqual(["Bäckerei Müller"]);
    expect(await names("BACKEREI MU")).toEqual(["Bäckerei Müller"]);
    await mutate(gateway(), DELETE_CONTACT, { id: created.contact.id });
    expect(await names("muller")).toEqual([]);
  });

  it("ranks a name match above an email match", async () => {
    await mutate(gateway(), CREATE_CONTACT, {
      input: { provider: "FREEAGENT", companyName: "Harbour Ltd", email: "quillon@harbour.example" },
    });
    await mutate(gateway(), CREATE_COMPANY, { input: { name: "Quillon Studio" } });
    expect(await names("quillon")).toEqual(["Quillon Studio", "Harbour Ltd"]);
  });
});

describe("search: with a provider served live", () => {
  it("searches only the store's providers and says which were not searched", async () => {
    const gateway = await createGateway({
      config: loadConfig({
        STORE_URL: ":memory:",
        PRODUCTIVE_API_TOKEN: "token",
        PRODUCTIVE_ORGANIZATION_ID: "1",
        PRODUCTIVE_BASE_URL: "http://127.0.0.1:9",
      }),
      logger: quietLogger,
    });
    try {
      const { data, errors } = await execute(gateway, SEARCH, { query: "a", first: 100 });
      expect(data.search.searchedProviders).toEqual(["MONEYBIRD", "FREEAGENT"]);
      expect(data.search.edges.length).toBeGreaterThan(0);
      expect(data.search.edges.some((edge: { node: Hit }) => edge.node.__typename === "Company")).toBe(false);
      expect(errors).toEqual([
        expect.objectContaining({
          path: ["search"],
          extensions: expect.objectContaining({ code: "NOT_SEARCHABLE", provider: "PRODUCTIVE" }),
        }),
      ]);
    } finally {
      await gateway.close();
    }
  });
});
