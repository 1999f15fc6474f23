import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createGateway, type Gateway } from "../../src/gateway.ts";
import type { UpstreamRequestEvent } from "../../src/http/upstream-client.ts";
import { decodeGlobalId, encodeGlobalId } from "../../src/schema/global-id.ts";
import { unreachedRateLimitsEnv } from "../fakes/exchange.ts";
import { type FakeProductive, startFakeProductive } from "../fakes/productive.ts";
import { execute, executeOk } from "../support/graphql.ts";
import { quietLogger } from "../support/logging.ts";

/** Productive served live through the whole gateway: GraphQL in, the fake Productive behind, upstream calls counted. */

let fake: FakeProductive;
let gateway: Gateway;
let upstreamEvents: UpstreamRequestEvent[] = [];

// One gateway for the file (opening one seeds the local store the other providers use); the fake starts each test empty.
const startGateway = () =>
  createGateway({
    logger: quietLogger,
    config: loadConfig({
      STORE_URL: ":memory:",
      PRODUCTIVE_API_TOKEN: fake.config.apiToken,
      PRODUCTIVE_ORGANIZATION_ID: fake.config.organizationId,
      PRODUCTIVE_BASE_URL: fake.origin,
      PRODUCTIVE_RATE_LIMITS: unreachedRateLimitsEnv("PRODUCTIVE"),
    }),
    upstream: { onRequest: (event) => upstreamEvents.push(event) },
  });

beforeAll(async () => {
  fake = await startFakeProductive();
  gateway = await startGateway();
});

beforeEach(() => {
  fake.reset();
  upstreamEvents = [];
});

afterAll(async () => {
  await gateway.close();
  await fake.close();
});

const calls = () => fake.requests.map((request) => `${request.method} ${request.path}`);
const companyId = (id: string) => encodeGlobalId("Company", id);
const WRITE_ERROR_FIELDS =
  "__typename ... on Error { message } ... on ValidationError { fieldErrors { path message } }";

/** `count` companies named Company 001…, each with an email and a phone entry. */
function seedCompanies(count: number) {
  return Array.from({ length: count }, (_, index) => {
    const company = fake.addCompany({ name: `Company ${String(index + 1).padStart(3, "0")}` });
    fake.addContactEntry(company.id, { name: "Work", email: `hello@${company.id}.example` });
    fake.addContactEntry(company.id, { type: "phone", name: "Desk", phone: `+1 555 ${company.id}` });
    return company;
  });
}

describe("reads", () => {
  it("lists 100 companies with their contact entries and each entry's company in 2 upstream requests", async () => {
    const companies = seedCompanies(100);

    const data = await executeOk(
      gateway,
      `{ companies(first: 100) { totalCount edges { node { id name
           contactEntries(first: 10) { edges { node { type email phone company { id name } } } } } } } }`,
    );

    const edges = data.companies.edges;
    expect(data.companies.totalCount).toBe(100);
    expect(edges).toHaveLength(100);
    expect(
      edges[41].node.contactEntries.edges.map((edge: { node: { type: string } }) => edge.node.type),
    ).toEqual(["EMAIL", "PHONE"]);
    expect(edges[41].node.contactEntries.edges[0].node.company).toEqual({
      id: companyId(companies[41]?.id ?? ""),
      name: "Company 042",
    });
    expect(calls()).toEqual(["GET /api/v2/companies", "GET /api/v2/contact_entries"]);
    expect(fake.requests[1]?.query.get("filter[company_id]")?.split(",")).toHaveLength(100);
    expect(upstreamEvents.map((event) => [event.provider, event.method, event.status])).toEqual([
      ["PRODUCTIVE", "GET", 200],
      ["PRODUCTIVE", "GET", 200],
    ]);
  });

  it("lists contact entries with their companies in 1 upstream request: the companies come included", async () => {
    const companies = seedCompanies(30);

    const data = await executeOk(
      gateway,
      `query ($ids: [ID!]) { contactEntries(filter: { companyIds: $ids }, first: 40) {
           totalCount edges { node { email company { name } } } } }`,
      { ids: companies.map((company) => companyId(company.id)) },
    );

    expect(data.contactEntries.totalCount).toBe(60);
    expect(data.contactEntries.edges[0].node).toEqual({
      email: `hello@${companies[0]?.id}.example`,
      company: { name: "Company 001" },
    });
    expect(calls()).toEqual(["GET /api/v2/contact_entries"]);
    expect(fake.requests[0]?.query.get("include")).toBe("company");
  });

  it("resolves contact entries by global id with one GET each, their companies included", async () => {
    const [company] = seedCompanies(1);
    const entries = [fake.addContactEntry(company?.id ?? ""), fake.addContactEntry(company?.id ?? "")];
    fake.clearRequests();

    const data = await executeOk(
      gateway,
      "query ($ids: [ID!]!) { nodes(ids: $ids) { ... on ContactEntry { remoteId company { name } } } }",
      { ids: entries.map((entry) => encodeGlobalId("ContactEntry", entry.id)) },
    );

    expect(data.nodes).toEqual(
      entries.map((entry) => ({ remoteId: entry.id, company: { name: "Company 001" } })),
    );
    expect(calls().sort()).toEqual(entries.map((entry) => `GET /api/v2/contact_entries/${entry.id}`).sort());
  });

  it("resolves companies by global id in one request, with NOT_FOUND for a missing one (asked once more on its own)", async () => {
    const [first, second] = seedCompanies(2);

    const result = await execute(
      gateway,
      "query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Company { name } } }",
      {
        ids: [companyId(second?.id ?? ""), companyId("999999"), companyId(first?.id ?? "")],
      },
    );

    expect(result.data.nodes).toEqual([
      { id: companyId(second?.id ?? ""), name: "Company 002" },
      null,
      { id: companyId(first?.id ?? ""), name: "Company 001" },
    ]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        path: ["nodes", 1],
        extensions: expect.objectContaining({ code: "NOT_FOUND" }),
      }),
    ]);
    expect(calls()).toEqual(["GET /api/v2/companies", "GET /api/v2/companies/999999"]);
    expect(fake.requests[0]?.query.get("filter[id]")).toBe(`${second?.id},999999,${first?.id}`);
  });

  it("maps the GraphQL filter and order to Productive's parameters", async () => {
    seedCompanies(3);

    const data = await executeOk(
      gateway,
      `{ companies(filter: { name: "company", status: ACTIVE, tags: ["a", "b"], createdAfter: "2020-01-01T00:00:00Z" },
                   orderBy: { field: NAME, direction: DESC }, first: 2) {
           totalCount pageInfo { hasNextPage } edges { node { name } } } }`,
    );

    expect(data.companies).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false }, edges: [] });
    expect(Object.fromEntries(fake.requests[0]?.query ?? [])).toEqual({
      "filter[name]": "company",
      "filter[status]": "1",
      "filter[tags]": "a,b",
      "filter[created_at][gt]": "2020-01-01T00:00:00.000Z",
      sort: "-name",
      "page[number]": "1",
      "page[size]": "2",
    });
  });

  it("reports a contact-entry list by type that would scan too many pages as BAD_USER_INPUT", async () => {
    fake.failNext({
      status: 200,
      body: {
        data: [],
        meta: { current_page: 1, total_pages: 11, total_count: 2_200, page_size: 200, max_page_size: 200 },
      },
    });

    const result = await execute(
      gateway,
      "{ contactEntries(filter: { types: [PHONE] }, first: 5) { totalCount } }",
    );

    expect(result.data.contactEntries).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(result.errors?.[0]?.message).toMatch(/narrow the list with companyIds or contactableTypes/);
    expect(calls()).toEqual(["GET /api/v2/contact_entries"]);
  });

  it("reports Productive as live and healthy with one cheap request", async () => {
    const data = await executeOk(gateway, "{ providers { provider backend healthy } }");

    expect(data.providers).toContainEqual({ provider: "PRODUCTIVE", backend: "LIVE", healthy: true });
    expect(calls()).toEqual(["GET /api/v2/companies"]);
    expect(fake.requests[0]?.query.get("page[size]")).toBe("1");
  });

  it("reports Productive's rate limit with the documented window when it names no Retry-After", async () => {
    // Its own gateway: the 10 s pause the 429 asks for would hold up the other tests' requests.
    const paused = await startGateway();
    fake.failNext({ status: 429, body: { errors: [{ status: "429", title: "Too Many Requests" }] } });

    const result = await execute(paused, "{ companies(first: 5) { totalCount } }").finally(() =>
      paused.close(),
    );

    expect(result.errors?.[0]?.extensions).toEqual({
      code: "RATE_LIMITED",
      provider: "PRODUCTIVE",
      retryAfterSeconds: 10,
    });
  });
});

describe("mutations", () => {
  it("creates a company with its contact details in one request and reads them back as entries", async () => {
    const data = await executeOk(
      gateway,
      `mutation ($input: CreateCompanyInput!) { createCompany(input: $input) {
         ... on CreateCompanySuccess { company { id name domain tags contactEntries { edges { node { type email } } } } }
         ${WRITE_ERROR_FIELDS} } }`,
      {
        input: {
          name: "ACME Comp.",
          domain: "acme.com",
          tags: ["partner"],
          contact: { emails: [{ name: "Email", email: "contact@acme.com" }] },
        },
      },
    );

    expect(data.createCompany.company).toMatchObject({
      name: "ACME Comp.",
      domain: "acme.com",
      tags: ["partner"],
      contactEntries: { edges: [{ node: { type: "EMAIL", email: "contact@acme.com" } }] },
    });
    expect(calls()).toEqual(["POST /api/v2/companies", "GET /api/v2/contact_entries"]);
  });

  it("returns Productive's 422 as a ValidationError on the input's field, sent once", async () => {
    fake.addCompany({ name: "Productive", domain: "productive.io" });
    const company = fake.addCompany({ name: "Client" });
    fake.clearRequests();

    const data = await executeOk(
      gateway,
      `mutation ($input: UpdateCompanyInput!) { updateCompany(input: $input) {
         ... on UpdateCompanySuccess { company { id } } ${WRITE_ERROR_FIELDS} } }`,
      { input: { id: companyId(company.id), domain: "productive.io" } },
    );

    expect(data.updateCompany).toEqual({
      __typename: "ValidationError",
      message: expect.any(String),
      fieldErrors: [{ path: ["input", "domain"], message: "domain already taken" }],
    });
    expect(calls()).toEqual([`PATCH /api/v2/companies/${company.id}`]);
  });

  it("creates, updates and deletes a contact entry of a company", async () => {
    const company = fake.addCompany({ name: "Client" });
    const created = await executeOk(
      gateway,
      `mutation ($input: CreateContactEntryInput!) { createContactEntry(input: $input) {
         ... on CreateContactEntrySuccess { contactEntry { id type name company { name } } } ${WRITE_ERROR_FIELDS} } }`,
      {
        input: { companyId: companyId(company.id), type: "WEBSITE", name: "Site", website: "client.example" },
      },
    );
    const entry = created.createContactEntry.contactEntry;
    expect(entry).toMatchObject({ type: "WEBSITE", name: "Site", company: { name: "Client" } });

    const updated = await executeOk(
      gateway,
      `mutation ($input: UpdateContactEntryInput!) { updateContactEntry(input: $input) {
         ... on UpdateContactEntrySuccess { contactEntry { name website company { name } } } ${WRITE_ERROR_FIELDS} } }`,
      { input: { id: entry.id, name: "Homepage" } },
    );
    expect(updated.updateContactEntry.contactEntry).toEqual({
      name: "Homepage",
      website: "client.example",
      company: { name: "Client" },
    });

    const deleted = await executeOk(
      gateway,
      `mutation ($id: ID!) { deleteContactEntry(id: $id) {
         ... on DeleteContactEntrySuccess { deletedId } ... on Error { message } } }`,
      { id: entry.id },
    );
    expect(deleted.deleteContactEntry).toEqual({ deletedId: entry.id });
    expect(calls()).toEqual([
      "POST /api/v2/contact_entries",
      `PATCH /api/v2/contact_entries/${decodeGlobalId(entry.id).id}`,
      `DELETE /api/v2/contact_entries/${decodeGlobalId(entry.id).id}`,
    ]);
  });
});
