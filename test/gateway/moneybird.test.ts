import { afterEach, describe, expect, it, vi } from "vitest";
import { UpstreamError } from "../../src/errors.ts";
import type { Gateway } from "../../src/gateway.ts";
import { encodeGlobalId } from "../../src/schema/global-id.ts";
import {
  mutate,
  mutationDocument,
  nodesOfWalk,
  notFound,
  useGateway,
  validationError,
  walkConnection,
} from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";

const PERSON = "id remoteId firstName lastName phone email department version contact { id }";
const NOTE = "id remoteId note todo assigneeId userId contact { id }";
const CHARGE = "id productId amount price period description";
const MANDATE = "type sepaMandate bank iban bic ibanAccountName createdAt";

const CONTACT_DETAIL = `
  query ($id: ID!) {
    node(id: $id) {
      ... on MoneybirdContact {
        id customerId version archived
        contactPersons { edges { node { ${PERSON} } } }
        notes { ${NOTE} }
        additionalCharges { ${CHARGE} }
        paymentsMandate { ${MANDATE} }
      }
    }
  }
`;

const CREATE_PERSON = mutationDocument("createContactPerson", "input", `contactPerson { ${PERSON} }`);
const UPDATE_PERSON = mutationDocument("updateContactPerson", "input", `contactPerson { ${PERSON} }`);
const DELETE_PERSON = mutationDocument("deleteContactPerson", "id", "deletedId");
const ADD_NOTE = mutationDocument("addContactNote", "input", `note { ${NOTE} }`);
const DELETE_NOTE = mutationDocument("deleteContactNote", "id", "deletedId");
const CREATE_CHARGE = mutationDocument("createAdditionalCharge", "input", `additionalCharge { ${CHARGE} }`);
const DELETE_CONTACT = mutationDocument("deleteContact", "id", "deletedId archived contact { id archived }");
const REQUEST_MANDATE = mutationDocument("requestPaymentsMandate", "input", "contact { id version }");
const MANDATE_URL = mutationDocument("createPaymentsMandateUrl", "input", "url contact { id }");
const DELETE_MANDATE = mutationDocument(
  "deletePaymentsMandate",
  "contactId",
  "contact { id paymentsMandate { type } }",
);
const CREATE_CONTACT = mutationDocument("createContact", "input", "contact { id }");

const MISSING_CONTACT = encodeGlobalId("MoneybirdContact", "999999");

interface ContactDetail {
  id: string;
  customerId: string;
  version: number;
  archived: boolean;
  contactPersons: { edges: { node: Record<string, unknown> & { id: string } }[] };
  notes: (Record<string, unknown> & { id: string })[];
  additionalCharges: Record<string, unknown>[];
  paymentsMandate: Record<string, unknown> | null;
}

async function detail(gateway: Gateway, id: string): Promise<ContactDetail> {
  return (await executeOk(gateway, CONTACT_DETAIL, { id })).node;
}

/** A new Moneybird contact with nothing attached: no people, notes, charges or mandate. */
async function newContact(gateway: Gateway): Promise<string> {
  const result = await mutate(gateway, CREATE_CONTACT, {
    input: { provider: "MONEYBIRD", companyName: "Testbedrijf B.V." },
  });
  return result.contact.id;
}

describe("Moneybird contacts", () => {
  describe("reads", () => {
    const gateway = useGateway("all");
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it("contactByCustomerId finds the contact with that customer id, and is null (no error) for none", async () => {
      const query = `query ($c: String!) { contactByCustomerId(customerId: $c) { id customerId provider } }`;
      const hit = await executeOk(gateway(), query, { c: "12" });
      expect(hit.contactByCustomerId).toMatchObject({ customerId: "12", provider: "MONEYBIRD" });
      expect((await detail(gateway(), hit.contactByCustomerId.id)).customerId).toBe("12");

      const miss = await execute(gateway(), query, { c: "no-such-customer" });
      expect(miss).toEqual({ status: 200, data: { contactByCustomerId: null }, errors: undefined });
    });

    it("pages a contact's people", async () => {
      const data = await executeOk(
        gateway(),
        `{ contacts(first: 100, filter: { providers: [MONEYBIRD] }) { edges { node { ... on MoneybirdContact { id contactPersons { totalCount edges { node { id } } } } } } } }`,
      );
      const contact = data.contacts.edges
        .map(
          (edge: {
            node: { id: string; contactPersons: { totalCount: number; edges: { node: { id: string } }[] } };
          }) => edge.node,
        )
        .find(
          (candidate: { contactPersons: { totalCount: number } }) => candidate.contactPersons.totalCount >= 3,
        );
      const pages = await walkConnection<{ id: string }>(
        gateway(),
        `query ($id: ID!, $first: Int, $after: String) {
          node(id: $id) { ... on MoneybirdContact { contactPersons(first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } } }
        }`,
        (page) => page.node.contactPersons,
        2,
        { id: contact.id },
      );
      expect(nodesOfWalk(pages, 2).map((person) => person.id)).toEqual(
        contact.contactPersons.edges.map((edge: { node: { id: string } }) => edge.node.id),
      );
    });

    it("lists a contact's unbilled additional charges, and billed ones with includeBilled; and its mandate", async () => {
      const data = await executeOk(
        gateway(),
        `{
          contacts(first: 100, filter: { providers: [MONEYBIRD], includeArchived: true }) {
            edges { node { ... on MoneybirdContact { id unbilled: additionalCharges { id } all: additionalCharges(includeBilled: true) { id } paymentsMandate { ${MANDATE} } } } }
          }
        }`,
      );
      type Row = {
        unbilled: { id: string }[];
        all: { id: string }[];
        paymentsMandate: Record<string, unknown> | null;
      };
      const contacts: Row[] = data.contacts.edges.map((edge: { node: Row }) => edge.node);
      for (const contact of contacts) expect(contact.all).toEqual(expect.arrayContaining(contact.unbilled));
      expect(contacts.some((contact) => contact.all.length > contact.unbilled.length)).toBe(true);
      expect(contacts.some((contact) => contact.unbilled.length > 0)).toBe(true);

      const mandates = contacts.flatMap((contact) =>
        contact.paymentsMandate ? [contact.paymentsMandate] : [],
      );
      expect(mandates.length).toBeGreaterThan(0);
      expect(mandates.length).toBeLessThan(contacts.length);
      for (const mandate of mandates)
        expect(mandate).toMatchObject({ sepaMandate: true, iban: expect.stringMatching(/^NL/) });
    });
  });

  describe("writes", () => {
    const gateway = useGateway("each");
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it("creates, updates and deletes contact people, refusing what Moneybird refuses", async () => {
      const contactId = await newContact(gateway());
      const created = await mutate(gateway(), CREATE_PERSON, {
        input: {
          contactId,
          firstName: "Sanne",
          lastName: "Visser",
          email: "sanne@example.nl",
          department: "Inkoop",
        },
      });
      const person = created.contactPerson;
      expect(person).toMatchObject({
        firstName: "Sanne",
        lastName: "Visser",
        department: "Inkoop",
        contact: { id: contactId },
      });
      const [, nestedId] = Buffer.from(person.id, "base64").toString().split(":");
      expect(nestedId).toBe(
        `${Buffer.from(contactId, "base64").toString().split(":")[1]}/${person.remoteId}`,
      );
      expect((await detail(gateway(), contactId)).contactPersons.edges).toEqual([{ node: person }]);
      expect(
        (
          await executeOk(
            gateway(),
            `query ($id: ID!) { node(id: $id) { ... on ContactPerson { ${PERSON} } } }`,
            { id: person.id },
          )
        ).node,
      ).toEqual(person);

      const before = await detail(gateway(), contactId);
      expect(
        await mutate(gateway(), CREATE_PERSON, {
          input: { contactId, firstName: "Jan", email: "jan at example" },
        }),
      ).toEqual(
        validationError([["input", "lastName"], "can't be blank"], [["input", "email"], "is invalid"]),
      );
      expect(await mutate(gateway(), UPDATE_PERSON, { input: { id: person.id, firstName: "" } })).toEqual(
        validationError([["input", "firstName"], "can't be blank"]),
      );
      expect(await detail(gateway(), contactId)).toEqual(before);

      const updated = await mutate(gateway(), UPDATE_PERSON, {
        input: { id: person.id, phone: "06-12345678", department: null },
      });
      expect(updated.contactPerson).toMatchObject({
        id: person.id,
        firstName: "Sanne",
        phone: "06-12345678",
        department: null,
      });
      expect(updated.contactPerson.version).toBeGreaterThanOrEqual(person.version);

      expect(await mutate(gateway(), DELETE_PERSON, { id: person.id })).toEqual({
        __typename: "DeleteContactPersonSuccess",
        deletedId: person.id,
      });
      expect((await detail(gateway(), contactId)).contactPersons.edges).toEqual([]);
      const gone = await execute(gateway(), `query ($id: ID!) { node(id: $id) { id } }`, { id: person.id });
      expect(gone.errors?.map((error) => error.extensions)).toEqual([{ code: "NOT_FOUND", id: person.id }]);
      expect(await mutate(gateway(), DELETE_PERSON, { id: person.id })).toEqual(notFound(person.id));
      expect(await mutate(gateway(), UPDATE_PERSON, { input: { id: person.id, firstName: "X" } })).toEqual(
        notFound(person.id),
      );
      expect(
        await mutate(gateway(), CREATE_PERSON, {
          input: { contactId: MISSING_CONTACT, firstName: "A", lastName: "B" },
        }),
      ).toEqual(notFound(MISSING_CONTACT));
    });

    it("adds notes and to-dos, deletes them, and refuses an empty note", async () => {
      const contactId = await newContact(gateway());
      const note = (
        await mutate(gateway(), ADD_NOTE, { input: { contactId, note: "Betaalt altijd op tijd" } })
      ).note;
      expect(note).toMatchObject({
        note: "Betaalt altijd op tijd",
        todo: false,
        assigneeId: null,
        contact: { id: contactId },
      });
      const todo = (
        await mutate(gateway(), ADD_NOTE, {
          input: { contactId, note: "Bel terug", assigneeId: "4960814000000002" },
        })
      ).note;
      expect(todo).toMatchObject({ todo: true, assigneeId: "4960814000000002" });
      expect((await detail(gateway(), contactId)).notes).toEqual([note, todo]);

      const before = await detail(gateway(), contactId);
      expect(await mutate(gateway(), ADD_NOTE, { input: { contactId, note: " " } })).toEqual(
        validationError([["input", "note"], "can't be blank"]),
      );
      expect(await mutate(gateway(), ADD_NOTE, { input: { contactId: MISSING_CONTACT, note: "x" } })).toEqual(
        notFound(MISSING_CONTACT),
      );
      expect(await detail(gateway(), contactId)).toEqual(before);

      expect(await mutate(gateway(), DELETE_NOTE, { id: note.id })).toEqual({
        __typename: "DeleteContactNoteSuccess",
        deletedId: note.id,
      });
      expect((await detail(gateway(), contactId)).notes).toEqual([todo]);
      expect(await mutate(gateway(), DELETE_NOTE, { id: note.id })).toEqual(notFound(note.id));
    });

    it("deleteContact deletes a contact without documents, and archives one with an additional charge", async () => {
      const plain = await newContact(gateway());
      const charged = await newContact(gateway());

      const before = await detail(gateway(), charged);
      expect(
        await mutate(gateway(), CREATE_CHARGE, {
          input: { contactId: charged, productId: "4960814000000201", price: "abc", period: "June" },
        }),
      ).toEqual(
        validationError([["input", "price"], "is not a number"], [["input", "period"], "is invalid"]),
      );
      expect(await detail(gateway(), charged)).toEqual(before);
      const charge = await mutate(gateway(), CREATE_CHARGE, {
        input: {
          contactId: charged,
          productId: "4960814000000201",
          price: "25",
          amount: "2 x",
          period: "20250601..20250630",
          description: "Opslag",
        },
      });
      expect(charge.additionalCharge).toMatchObject({
        productId: "4960814000000201",
        price: "25.0",
        amount: "2 x",
        period: "202506..202506",
        description: "Opslag",
      });
      expect((await detail(gateway(), charged)).additionalCharges).toEqual([charge.additionalCharge]);

      expect(await mutate(gateway(), DELETE_CONTACT, { id: charged })).toEqual({
        __typename: "DeleteContactSuccess",
        deletedId: charged,
        archived: true,
        contact: { id: charged, archived: true },
      });
      expect((await detail(gateway(), charged)).archived).toBe(true);

      expect(await mutate(gateway(), DELETE_CONTACT, { id: plain })).toEqual({
        __typename: "DeleteContactSuccess",
        deletedId: plain,
        archived: false,
        contact: null,
      });
      const gone = await execute(gateway(), CONTACT_DETAIL, { id: plain });
      expect(gone.data.node).toBeNull();
      expect(gone.errors?.map((error) => error.extensions)).toEqual([{ code: "NOT_FOUND", id: plain }]);
    });

    it("payments mandates: request by e-mail, a URL, deleting the stored one; Payments switched off is FORBIDDEN", async () => {
      const data = await executeOk(
        gateway(),
        `{ contacts(first: 100, filter: { providers: [MONEYBIRD] }) { edges { node { ... on MoneybirdContact { id paymentsMandate { type } } } } } }`,
      );
      const withMandate = data.contacts.edges.find(
        (edge: { node: { paymentsMandate: unknown } }) => edge.node.paymentsMandate,
      )?.node;
      expect(withMandate).toBeDefined();

      expect(await mutate(gateway(), DELETE_MANDATE, { contactId: withMandate.id })).toEqual({
        __typename: "DeletePaymentsMandateSuccess",
        contact: { id: withMandate.id, paymentsMandate: null },
      });
      expect((await detail(gateway(), withMandate.id)).paymentsMandate).toBeNull();

      const requested = await mutate(gateway(), REQUEST_MANDATE, {
        input: { contactId: withMandate.id, emailMessage: "Graag machtigen" },
      });
      expect(requested).toMatchObject({
        __typename: "RequestPaymentsMandateSuccess",
        contact: { id: withMandate.id },
      });
      const url = await mutate(gateway(), MANDATE_URL, { input: { contactId: withMandate.id } });
      expect(url).toEqual({
        __typename: "CreatePaymentsMandateUrlSuccess",
        url: expect.stringMatching(/^https:\/\/moneybird\.com\/mandate_requests\/[\w-]{20,}$/),
        contact: { id: withMandate.id },
      });
      expect(await mutate(gateway(), MANDATE_URL, { input: { contactId: MISSING_CONTACT } })).toEqual(
        notFound(MISSING_CONTACT),
      );
      expect(await mutate(gateway(), DELETE_MANDATE, { contactId: MISSING_CONTACT })).toEqual(
        notFound(MISSING_CONTACT),
      );

      vi.spyOn(gateway().sources.moneybirdContacts, "requestPaymentsMandate").mockRejectedValue(
        new UpstreamError(
          "MONEYBIRD",
          "FORBIDDEN",
          "Moneybird Payments is not enabled for this administration",
        ),
      );
      expect(await mutate(gateway(), REQUEST_MANDATE, { input: { contactId: withMandate.id } })).toEqual({
        __typename: "UpstreamError",
        message: "Moneybird Payments is not enabled for this administration",
        provider: "MONEYBIRD",
        code: "FORBIDDEN",
        retryAfterSeconds: null,
      });
    });
  });
});

describe("moneybirdContactVersions", () => {
  const writable = useGateway("each");
  const VERSIONS = `query ($filter: MoneybirdContactVersionFilter) {
    moneybirdContactVersions(filter: $filter) { id remoteId version }
  }`;

  it("lists every contact's id and version; an update raises that contact's version; archived ones on request", async () => {
    const listed = await executeOk(
      writable(),
      "{ contacts(first: 100, filter: { providers: [MONEYBIRD] }) { edges { node { id } } } }",
    );
    const { moneybirdContactVersions: active } = await executeOk(writable(), VERSIONS);
    const { moneybirdContactVersions: all } = await executeOk(writable(), VERSIONS, {
      filter: { includeArchived: true },
    });
    expect(active.length).toBeGreaterThanOrEqual(listed.contacts.edges.length);
    expect(all.length).toBeGreaterThan(active.length);

    const target = active[0];
    await executeOk(
      writable(),
      `mutation ($id: ID!) { updateContact(input: { id: $id, phone: "+31 20 000 0000" }) { __typename } }`,
      { id: target.id },
    );
    const { moneybirdContactVersions: after } = await executeOk(writable(), VERSIONS);
    const updated = after.find((entry: { id: string }) => entry.id === target.id);
    expect(updated.version).toBeGreaterThan(target.version);
    const { node } = await executeOk(
      writable(),
      "query ($id: ID!) { node(id: $id) { ... on MoneybirdContact { version } } }",
      {
        id: target.id,
      },
    );
    expect(node.version).toBe(updated.version);
  });
});
