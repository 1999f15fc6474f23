import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createGateway, type Gateway } from "../../src/gateway.ts";
import { encodeGlobalId } from "../../src/schema/global-id.ts";
import { CUSTOM_FIELDS } from "../../src/store/moneybird.ts";
import { unreachedRateLimitsEnv } from "../fakes/exchange.ts";
import { type FakeMoneybird, moneybirdRateLimit, startFakeMoneybird } from "../fakes/moneybird.ts";
import { nodesOfWalk, walkConnection } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";
import { quietLogger } from "../support/logging.ts";

/** Moneybird served live through the whole gateway: GraphQL in, the fake Moneybird behind, upstream calls counted. */

let fake: FakeMoneybird;
let gateway: Gateway;

// One gateway for the file (opening it seeds the local store the other providers use); each test
// starts from an empty fake administration.
const startGateway = () =>
  createGateway({
    logger: quietLogger,
    config: loadConfig({
      STORE_URL: ":memory:",
      MONEYBIRD_API_TOKEN: fake.config.apiToken,
      MONEYBIRD_ADMINISTRATION_ID: fake.config.administrationId,
      MONEYBIRD_BASE_URL: fake.origin,
      MONEYBIRD_RATE_LIMITS: unreachedRateLimitsEnv("MONEYBIRD"),
    }),
  });

beforeAll(async () => {
  fake = await startFakeMoneybird();
  gateway = await startGateway();
});

afterEach(() => {
  expect(fake.violations).toEqual([]);
  fake.reset();
});

afterAll(async () => {
  await gateway.close();
  await fake.close();
});

const contacts = () => gateway.sources.moneybirdContacts;
const calls = () =>
  fake.requests.map((request) => `${request.method} ${request.path.replace(/^\/api\/v2\/\d+/, "")}`);
async function seed(count: number, contactPerson = false) {
  const created = [];
  for (let i = 1; i <= count; i++) {
    created.push(
      await contacts().create({
        companyName: `Company ${i}`,
        contactPerson: contactPerson ? { firstName: `Person`, lastName: `${i}` } : null,
      }),
    );
  }
  fake.clearRequests();
  return created;
}

/** The one root field of a mutation's data. */
async function resultOf(mutation: string, variables: Record<string, unknown>) {
  const data = await executeOk(gateway, mutation, variables);
  return Object.values(data)[0] as Record<string, unknown> & { __typename: string };
}

describe("reads", () => {
  it("resolves 100 contacts by global id with one synchronization call", async () => {
    const created = await seed(100);
    const ids = created.map((contact) => encodeGlobalId("MoneybirdContact", contact.id));

    const data = await executeOk(
      gateway,
      "query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on MoneybirdContact { companyName } } }",
      {
        ids,
      },
    );

    expect(data.nodes.map((node: { id: string }) => node.id)).toEqual(ids);
    expect(calls()).toEqual(["POST /contacts/synchronization.json"]);
  });

  it("lists contacts with their people in one call", async () => {
    await seed(3, true);

    const data = await executeOk(
      gateway,
      `{ contacts(filter: { providers: [MONEYBIRD] }, first: 10) {
           edges { node { displayName ... on MoneybirdContact {
             contactPersons { edges { node { firstName lastName } } } } } } } }`,
    );

    expect(data.contacts.edges.map((edge: { node: unknown }) => edge.node)).toEqual(
      [1, 2, 3].map((i) => ({
        displayName: `Company ${i}`,
        contactPersons: { edges: [{ node: { firstName: "Person", lastName: `${i}` } }] },
      })),
    );
    expect(calls()).toEqual(["GET /contacts.json"]);
    expect(fake.requests[0]?.query.toString()).toBe("page=1&per_page=10");
  });

  it("lists contacts with their people and each person's contact in one call: the list primes the contact loader", async () => {
    const created = await seed(3, true);

    const data = await executeOk(
      gateway,
      `{ contacts(filter: { providers: [MONEYBIRD] }, first: 10) {
           edges { node { ... on MoneybirdContact {
             contactPersons { edges { node { lastName contact { remoteId companyName } } } } } } } } }`,
    );

    expect(
      data.contacts.edges.map(
        (edge: { node: { contactPersons: { edges: { node: unknown }[] } } }) =>
          edge.node.contactPersons.edges[0]?.node,
      ),
    ).toEqual(
      created.map((contact, i) => ({
        lastName: `${i + 1}`,
        contact: { remoteId: contact.id, companyName: `Company ${i + 1}` },
      })),
    );
    expect(calls()).toEqual(["GET /contacts.json"]);
  });

  it("resolves a contact person by its global id from its contact, and a contact by customer id", async () => {
    const [contact] = await seed(1, true);
    const person = contact?.contactPersons[0];
    const personId = encodeGlobalId("ContactPerson", `${contact?.id}/${person?.id}`);

    const data = await executeOk(
      gateway,
      `query ($id: ID!, $customerId: String!) {
         node(id: $id) { ... on ContactPerson { lastName contact { remoteId } } }
         contactByCustomerId(customerId: $customerId) { remoteId customerId }
       }`,
      { id: personId, customerId: contact?.customerId },
    );

    expect(data.node).toEqual({ lastName: "1", contact: { remoteId: contact?.id } });
    expect(data.contactByCustomerId).toEqual({ remoteId: contact?.id, customerId: contact?.customerId });
    expect(calls().sort()).toEqual([
      `GET /contacts/customer_id/${contact?.customerId}.json`,
      "POST /contacts/synchronization.json",
    ]);
  });

  it("lists contact versions with one synchronization call", async () => {
    const [kept, gone] = await seed(2);
    await contacts().archive(gone?.id ?? "");
    fake.clearRequests();

    const data = await executeOk(
      gateway,
      "{ moneybirdContactVersions(filter: { includeArchived: true }) { remoteId version } }",
    );

    expect(data.moneybirdContactVersions).toEqual([
      { remoteId: kept?.id, version: kept?.version },
      { remoteId: gone?.id, version: fake.contact(gone?.id ?? "")?.version },
    ]);
    expect(fake.requests.map((request) => `${request.method} ${request.path}?${request.query}`)).toEqual([
      "GET /api/v2/123/contacts/synchronization.json?include_archived=true",
    ]);
  });

  it("maps the contact filters to Moneybird's search and filter endpoints", async () => {
    await contacts().create({ firstName: "Jan", lastName: "Smit" });
    await contacts().create({ firstName: "Piet", lastName: "Smit" });
    fake.clearRequests();

    const data = await executeOk(
      gateway,
      `{ contacts(filter: { providers: [MONEYBIRD], lastName: "smit", query: "jan" }, first: 5) { edges { node { displayName } } } }`,
    );

    expect(data.contacts.edges).toEqual([{ node: { displayName: "Jan Smit" } }]);
    expect(fake.requests.map((request) => `${request.path.split("/").at(-1)}?${request.query}`)).toEqual([
      "filter.json?filter=last_name%3Asmit&query=jan&page=1&per_page=5",
    ]);
  });

  it("reports the provider's health with one cheap call", async () => {
    const data = await executeOk(gateway, "{ providers { provider backend healthy } }");

    expect(data.providers).toContainEqual({ provider: "MONEYBIRD", backend: "LIVE", healthy: true });
    expect(fake.requests.map((request) => `${request.path}?${request.query}`)).toEqual([
      "/api/v2/123/contacts.json?per_page=1",
    ]);
  });

  it("turns Moneybird's refusals into typed query errors", async () => {
    const [contact] = await seed(1);
    fake.setPaymentsEnabled(false);
    const query =
      "query ($id: ID!) { node(id: $id) { ... on MoneybirdContact { paymentsMandate { iban } } } }";
    const id = encodeGlobalId("MoneybirdContact", contact?.id ?? "");

    const forbidden = await execute(gateway, query, { id });
    // Its own gateway: the 30 s pause the 429 asks for would hold up the other tests' requests.
    const paused = await startGateway();
    fake.failNext(moneybirdRateLimit(30));
    const limited = await execute(paused, query, { id }).finally(() => paused.close());

    expect(forbidden.errors?.[0]?.extensions).toMatchObject({
      code: "UPSTREAM_FORBIDDEN",
      provider: "MONEYBIRD",
    });
    expect(limited.errors?.[0]?.extensions).toMatchObject({
      code: "RATE_LIMITED",
      provider: "MONEYBIRD",
      retryAfterSeconds: 30,
    });
  });
});

describe("mutations", () => {
  it("reaches every Moneybird write through the schema", async () => {
    const field = CUSTOM_FIELDS[1];
    const created = await resultOf(
      `mutation ($input: CreateContactInput!) { createContact(input: $input) { __typename
         ... on CreateContactSuccess { contact { id remoteId ... on MoneybirdContact { customFields { name value } contactPersons { edges { node { id } } } } } } } }`,
      {
        input: {
          provider: "MONEYBIRD",
          companyName: "Acme",
          customFields: [{ id: field.id, value: "Retail" }],
          contactPerson: { firstName: "Ann", lastName: "Smit" },
        },
      },
    );
    const contact = created.contact as {
      id: string;
      remoteId: string;
      contactPersons: { edges: { node: { id: string } }[] };
    };
    expect(created).toMatchObject({
      __typename: "CreateContactSuccess",
      contact: { customFields: [{ name: field.name, value: "Retail" }] },
    });

    const steps: [string, Record<string, unknown>, string][] = [
      [
        "mutation ($input: UpdateContactInput!) { updateContact(input: $input) { __typename } }",
        { input: { id: contact.id, phone: "010-1234567" } },
        "UpdateContactSuccess",
      ],
      [
        "mutation ($input: CreateContactPersonInput!) { createContactPerson(input: $input) { __typename } }",
        { input: { contactId: contact.id, firstName: "Bob", lastName: "Smit" } },
        "CreateContactPersonSuccess",
      ],
      [
        "mutation ($input: UpdateContactPersonInput!) { updateContactPerson(input: $input) { __typename } }",
        { input: { id: contact.contactPersons.edges[0]?.node.id, department: "Sales" } },
        "UpdateContactPersonSuccess",
      ],
      [
        "mutation ($id: ID!) { deleteContactPerson(id: $id) { __typename } }",
        { id: contact.contactPersons.edges[0]?.node.id },
        "DeleteContactPersonSuccess",
      ],
      [
        "mutation ($input: AddContactNoteInput!) { addContactNote(input: $input) { __typename } }",
        { input: { contactId: contact.id, note: "Call back", assigneeId: "496081346724103270" } },
        "AddContactNoteSuccess",
      ],
      [
        "mutation ($input: CreateAdditionalChargeInput!) { createAdditionalCharge(input: $input) { __typename } }",
        { input: { contactId: contact.id, productId: "496081405771515703", price: "100", amount: "5 x" } },
        "CreateAdditionalChargeSuccess",
      ],
      [
        "mutation ($input: RequestPaymentsMandateInput!) { requestPaymentsMandate(input: $input) { __typename } }",
        { input: { contactId: contact.id, emailMessage: "Please sign" } },
        "RequestPaymentsMandateSuccess",
      ],
      [
        "mutation ($input: CreatePaymentsMandateUrlInput!) { createPaymentsMandateUrl(input: $input) { __typename } }",
        { input: { contactId: contact.id } },
        "CreatePaymentsMandateUrlSuccess",
      ],
      [
        "mutation ($id: ID!) { deletePaymentsMandate(contactId: $id) { __typename } }",
        { id: contact.id },
        "DeletePaymentsMandateSuccess",
      ],
    ];
    for (const [mutation, variables, typename] of steps) {
      expect(await resultOf(mutation, variables)).toEqual({ __typename: typename });
    }
    const withNote = await executeOk(
      gateway,
      `query ($id: ID!) { node(id: $id) { ... on MoneybirdContact { phone notes { id todo } additionalCharges { amount } } } }`,
      { id: contact.id },
    );
    expect(withNote.node).toMatchObject({
      phone: "010-1234567",
      notes: [{ todo: true }],
      additionalCharges: [{ amount: "5 x" }],
    });
    expect(
      await resultOf("mutation ($id: ID!) { deleteContactNote(id: $id) { __typename } }", {
        id: withNote.node.notes[0].id,
      }),
    ).toEqual({ __typename: "DeleteContactNoteSuccess" });

    const deleted = await resultOf(
      "mutation ($id: ID!) { deleteContact(id: $id) { __typename ... on DeleteContactSuccess { archived contact { archived } } } }",
      { id: contact.id },
    );
    expect(deleted).toEqual({
      __typename: "DeleteContactSuccess",
      archived: true,
      contact: { archived: true },
    });
    expect(new Set(calls())).toEqual(
      new Set([
        "POST /contacts.json",
        `PATCH /contacts/${contact.remoteId}.json`,
        `POST /contacts/${contact.remoteId}/contact_people.json`,
        expect.stringMatching(new RegExp(`^PATCH /contacts/${contact.remoteId}/contact_people/\\d+\\.json$`)),
        expect.stringMatching(
          new RegExp(`^DELETE /contacts/${contact.remoteId}/contact_people/\\d+\\.json$`),
        ),
        `POST /contacts/${contact.remoteId}/notes.json`,
        expect.stringMatching(new RegExp(`^DELETE /contacts/${contact.remoteId}/notes/\\d+\\.json$`)),
        `POST /contacts/${contact.remoteId}/additional_charges.json`,
        `GET /contacts/${contact.remoteId}/additional_charges.json`,
        `POST /contacts/${contact.remoteId}/moneybird_payments_mandate.json`,
        `POST /contacts/${contact.remoteId}/moneybird_payments_mandate/url.json`,
        `DELETE /contacts/${contact.remoteId}/moneybird_payments_mandate.json`,
        "POST /contacts/synchronization.json",
        `DELETE /contacts/${contact.remoteId}.json`,
        `GET /contacts/${contact.remoteId}.json`,
      ]),
    );
  });

  it("deletes a contact Moneybird archives in 2 calls: the result is the contact the read-back found", async () => {
    const [contact] = await seed(1);
    fake.addAdditionalCharge(contact?.id ?? "", { productId: "7", price: "10", billed: false });
    fake.clearRequests();

    const deleted = await resultOf(
      "mutation ($id: ID!) { deleteContact(id: $id) { __typename ... on DeleteContactSuccess { archived contact { remoteId archived } } } }",
      { id: encodeGlobalId("MoneybirdContact", contact?.id ?? "") },
    );

    expect(deleted).toEqual({
      __typename: "DeleteContactSuccess",
      archived: true,
      contact: { remoteId: contact?.id, archived: true },
    });
    expect(calls()).toEqual([`DELETE /contacts/${contact?.id}.json`, `GET /contacts/${contact?.id}.json`]);
  });

  it("archives a contact", async () => {
    const [contact] = await seed(1);

    const archived = await resultOf(
      "mutation ($id: ID!) { archiveContact(id: $id) { __typename ... on ArchiveContactSuccess { contact { archived } } } }",
      { id: encodeGlobalId("MoneybirdContact", contact?.id ?? "") },
    );

    expect(archived).toEqual({ __typename: "ArchiveContactSuccess", contact: { archived: true } });
    expect(calls()).toEqual([
      `PATCH /contacts/${contact?.id}/archive.json`,
      "POST /contacts/synchronization.json",
    ]);
  });

  it("answers Moneybird's 422 with a ValidationError on the input's paths, and a missing contact with NotFoundError", async () => {
    const invalid = await resultOf(
      `mutation ($input: CreateContactInput!) { createContact(input: $input) { __typename ... on ValidationError { fieldErrors { path message } } } }`,
      { input: { provider: "MONEYBIRD", firstName: "Ann" } },
    );
    const missingId = encodeGlobalId("MoneybirdContact", "987654321");
    const missing = await resultOf(
      "mutation ($input: AddContactNoteInput!) { addContactNote(input: $input) { __typename ... on NotFoundError { id } } }",
      { input: { contactId: missingId, note: "Hello" } },
    );

    expect(invalid).toEqual({
      __typename: "ValidationError",
      fieldErrors: [
        { path: ["input", "lastName"], message: "is required" },
        { path: ["input", "companyName"], message: "is required" },
      ],
    });
    expect(missing).toEqual({ __typename: "NotFoundError", id: missingId });
  });
});

interface ContactRow {
  id: string;
  provider: string;
  remoteId: string;
}

describe("beside the stored FreeAgent", () => {
  const CONTACTS = `query ($first: Int, $after: String) {
    contacts(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { id provider remoteId } }
    }
  }`;

  it("walks the merged connection to its end: Moneybird's contacts, then the store's FreeAgent ones", async () => {
    const moneybird = await seed(7);
    const everyone = { offset: 0, limit: 100 };
    const freeAgent = [];
    for (let offset = 0; ; offset += everyone.limit) {
      const page = await gateway.sources.freeAgentContacts.list({}, { ...everyone, offset });
      freeAgent.push(...page.items);
      if (!page.hasNextPage) break;
    }

    const pages = await walkConnection<ContactRow>(gateway, CONTACTS, "contacts", 50);

    expect(nodesOfWalk(pages, 50).map((node) => `${node.provider}:${node.remoteId}`)).toEqual([
      ...moneybird.map((contact) => `MONEYBIRD:${contact.id}`),
      ...freeAgent.map((contact) => `FREEAGENT:${contact.id}`),
    ]);
    // Only the first page reaches Moneybird; the later ones start in FreeAgent.
    expect(calls()).toEqual(["GET /contacts.json"]);
  });

  it("writes a contact to each: Moneybird over HTTP, FreeAgent into the store", async () => {
    const create = `mutation ($input: CreateContactInput!) { createContact(input: $input) {
      __typename ... on CreateContactSuccess { contact { id provider remoteId displayName } } } }`;

    const inMoneybird = await resultOf(create, {
      input: { provider: "MONEYBIRD", companyName: "Live B.V." },
    });
    const inStore = await resultOf(create, { input: { provider: "FREEAGENT", companyName: "Stored Ltd" } });

    expect(inMoneybird).toMatchObject({
      __typename: "CreateContactSuccess",
      contact: { provider: "MONEYBIRD", displayName: "Live B.V." },
    });
    expect(inStore).toMatchObject({
      __typename: "CreateContactSuccess",
      contact: { provider: "FREEAGENT", displayName: "Stored Ltd" },
    });
    const moneybirdId = (inMoneybird.contact as { remoteId: string }).remoteId;
    const freeAgentId = (inStore.contact as { remoteId: string }).remoteId;
    expect(fake.contact(moneybirdId)).toMatchObject({ company_name: "Live B.V." });
    expect(await gateway.sources.freeAgentContacts.getByIds([freeAgentId])).toEqual([
      expect.objectContaining({ companyName: "Stored Ltd", status: "Active" }),
    ]);
    expect(calls()).toEqual(["POST /contacts.json"]);
  });
});
