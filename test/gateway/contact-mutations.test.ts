import { beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/gateway.ts";
import { encodeGlobalId } from "../../src/schema/global-id.ts";
import {
  mutate,
  mutationDocument,
  notFound,
  useGateway,
  validationError,
  walkConnection,
} from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";

const CONTACT_FIELDS = `
  fragment ContactFields on Contact {
    __typename id remoteId provider displayName companyName firstName lastName email phone taxNumber archived
    createdAt updatedAt raw
    address { line1 line2 line3 city region postcode country }
    ... on MoneybirdContact {
      customerId attention chamberOfCommerce bankAccount deliveryMethod sendInvoicesToEmail sendEstimatesToEmail
      version customFields { id name value } contactPersons { edges { node { firstName lastName } } }
    }
    ... on FreeAgentContact {
      mobile billingEmail chargeSalesTax locale accountBalance defaultPaymentTermsInDays activeProjectsCount
      directDebitMandateState freeAgentStatus: status usesContactInvoiceSequence contactNameOnInvoices
    }
  }
`;
const CREATE_CONTACT = `${mutationDocument("createContact", "input", "contact { ...ContactFields }")}${CONTACT_FIELDS}`;
const UPDATE_CONTACT = `${mutationDocument("updateContact", "input", "contact { ...ContactFields }")}${CONTACT_FIELDS}`;
const ARCHIVE_CONTACT = `${mutationDocument("archiveContact", "id", "contact { ...ContactFields }")}${CONTACT_FIELDS}`;
const DELETE_CONTACT = `${mutationDocument("deleteContact", "id", "deletedId archived contact { ...ContactFields }")}${CONTACT_FIELDS}`;
const CONTACT_NODE = `query ($id: ID!) { node(id: $id) { ...ContactFields } } ${CONTACT_FIELDS}`;
const LISTED = `
  query ($filter: ContactFilter) { contacts(first: 100, filter: $filter) { totalCount edges { node { id } } } }
`;

async function contactNode(gateway: Gateway, id: string) {
  return (await executeOk(gateway, CONTACT_NODE, { id })).node;
}

async function listedIds(gateway: Gateway, filter: Record<string, unknown>): Promise<string[]> {
  const data = await executeOk(gateway, LISTED, { filter });
  return data.contacts.edges.map((edge: { node: { id: string } }) => edge.node.id);
}

describe("contact mutations", () => {
  describe("that write", () => {
    const gateway = useGateway("each");

    it("creates a Moneybird contact with its first contact person, and finds it again", async () => {
      const result = await mutate(gateway(), CREATE_CONTACT, {
        input: {
          provider: "MONEYBIRD",
          companyName: "Bakkerij Jansen",
          phone: "030-1234567",
          address: { line1: "Markt 1", postcode: "3511 AA", city: "Utrecht", country: "NL" },
          taxNumber: "NL123456789B01",
          chamberOfCommerce: "12345678",
          bankAccount: "NL91ABNA0417164300",
          attention: "t.a.v. de administratie",
          deliveryMethod: "Post",
          sendInvoicesToEmail: "facturen@bakkerij.example, boekhouding@bakkerij.example",
          customFields: [{ id: "4960814000000102", value: "SMB" }],
          contactPerson: { firstName: "Jan", lastName: "Jansen" },
        },
      });
      expect(result.__typename).toBe("CreateContactSuccess");
      const contact = result.contact;
      expect(contact).toMatchObject({
        __typename: "MoneybirdContact",
        provider: "MONEYBIRD",
        displayName: "Bakkerij Jansen",
        companyName: "Bakkerij Jansen",
        email: "facturen@bakkerij.example",
        address: { line1: "Markt 1", postcode: "3511 AA", city: "Utrecht", country: "NL" },
        taxNumber: "NL123456789B01",
        attention: "t.a.v. de administratie",
        deliveryMethod: "Post",
        sendInvoicesToEmail: "facturen@bakkerij.example, boekhouding@bakkerij.example",
        customFields: [{ id: "4960814000000102", name: "Segment", value: "SMB" }],
        contactPersons: { edges: [{ node: { firstName: "Jan", lastName: "Jansen" } }] },
        archived: false,
        customerId: expect.stringMatching(/^\d+$/),
      });
      expect(await contactNode(gateway(), contact.id)).toEqual(contact);
      const byCustomerId = await executeOk(
        gateway(),
        `query ($c: String!) { contactByCustomerId(customerId: $c) { id } }`,
        {
          c: contact.customerId,
        },
      );
      expect(byCustomerId.contactByCustomerId).toEqual({ id: contact.id });
      expect(await listedIds(gateway(), { providers: ["MONEYBIRD"], query: "bakkerij jansen" })).toContain(
        contact.id,
      );
    });

    it("updates a Moneybird contact (its version grows), archives it, and lists it only with includeArchived", async () => {
      const [id] = await listedIds(gateway(), { providers: ["MONEYBIRD"] });
      const before = await contactNode(gateway(), id as string);
      const updated = await mutate(gateway(), UPDATE_CONTACT, {
        input: { id, companyName: "Nieuwe Naam B.V.", deliveryMethod: "Peppol" },
      });
      expect(updated.__typename).toBe("UpdateContactSuccess");
      expect(updated.contact).toMatchObject({
        id,
        companyName: "Nieuwe Naam B.V.",
        displayName: "Nieuwe Naam B.V.",
        deliveryMethod: "Peppol",
        customerId: before.customerId,
        sendInvoicesToEmail: before.sendInvoicesToEmail,
      });
      expect(updated.contact.version).toBeGreaterThan(before.version);

      const archived = await mutate(gateway(), ARCHIVE_CONTACT, { id });
      expect(archived).toMatchObject({
        __typename: "ArchiveContactSuccess",
        contact: { id, archived: true },
      });
      expect(archived.contact.version).toBeGreaterThan(updated.contact.version);
      expect(await listedIds(gateway(), { providers: ["MONEYBIRD"] })).not.toContain(id);
      expect(await listedIds(gateway(), { providers: ["MONEYBIRD"], includeArchived: true })).toContain(id);
      expect(await contactNode(gateway(), id as string)).toEqual(archived.contact);
      expect(await mutate(gateway(), ARCHIVE_CONTACT, { id })).toEqual(
        validationError([["id"], "Contact can not be archived"]),
      );
    });

    it("creates, updates, hides and deletes a FreeAgent contact", async () => {
      const count = async () =>
        (await executeOk(gateway(), LISTED, { filter: { providers: ["FREEAGENT"], includeArchived: true } }))
          .contacts.totalCount;
      const before = await count();
      const created = await mutate(gateway(), CREATE_CONTACT, {
        input: {
          provider: "FREEAGENT",
          firstName: "Amelia",
          lastName: "Hughes",
          email: "amelia@example.co.uk",
          mobile: "07700 900123",
          address: {
            line1: "1 High Street",
            line3: "Shoreditch",
            city: "London",
            region: "Greater London",
            postcode: "E1 6AN",
            country: "United Kingdom",
          },
          chargeSalesTax: "Never",
          defaultPaymentTermsInDays: 14,
          contactNameOnInvoices: true,
        },
      });
      const id = created.contact.id;
      expect(created.contact).toMatchObject({
        __typename: "FreeAgentContact",
        provider: "FREEAGENT",
        displayName: "Amelia Hughes",
        email: "amelia@example.co.uk",
        mobile: "07700 900123",
        address: {
          line1: "1 High Street",
          line3: "Shoreditch",
          region: "Greater London",
          postcode: "E1 6AN",
        },
        chargeSalesTax: "Never",
        defaultPaymentTermsInDays: 14,
        contactNameOnInvoices: true,
        freeAgentStatus: "Active",
        archived: false,
      });
      expect(await count()).toBe(before + 1);
      expect(await contactNode(gateway(), id)).toEqual(created.contact);

      const updated = await mutate(gateway(), UPDATE_CONTACT, {
        input: { id, companyName: "Hughes Design Ltd", mobile: null },
      });
      expect(updated.contact).toMatchObject({
        id,
        displayName: "Hughes Design Ltd",
        firstName: "Amelia",
        mobile: null,
      });

      const hidden = await mutate(gateway(), ARCHIVE_CONTACT, { id });
      expect(hidden.contact).toMatchObject({ id, archived: true, freeAgentStatus: "Hidden" });
      expect(await listedIds(gateway(), { providers: ["FREEAGENT"], freeAgentView: "HIDDEN" })).toContain(id);

      expect(await mutate(gateway(), DELETE_CONTACT, { id })).toEqual({
        __typename: "DeleteContactSuccess",
        deletedId: id,
        archived: false,
        contact: null,
      });
      expect(await count()).toBe(before);
      const gone = await execute(gateway(), CONTACT_NODE, { id });
      expect(gone.data.node).toBeNull();
      expect(gone.errors?.map((error) => error.extensions)).toEqual([{ code: "NOT_FOUND", id }]);
      expect(await mutate(gateway(), DELETE_CONTACT, { id })).toEqual(notFound(id));
    });
  });

  describe("that fail write nothing", () => {
    const gateway = useGateway("all");
    let moneybird: Record<string, unknown> & { id: string };
    let freeAgent: Record<string, unknown> & { id: string };
    let counts: { moneybird: number; freeAgent: number };

    /** How many contacts each provider has, archived and hidden ones included. */
    async function countContacts() {
      const moneybirdPages = await walkConnection(
        gateway(),
        `query ($first: Int, $after: String) { contacts(first: $first, after: $after, filter: { providers: [MONEYBIRD], includeArchived: true }) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
        "contacts",
        100,
      );
      const freeAgent = await executeOk(gateway(), LISTED, {
        filter: { providers: ["FREEAGENT"], includeArchived: true },
      });
      return {
        moneybird: moneybirdPages.flatMap((page) => page.edges).length,
        freeAgent: freeAgent.contacts.totalCount,
      };
    }

    beforeAll(async () => {
      const [moneybirdId] = await listedIds(gateway(), { providers: ["MONEYBIRD"] });
      const [freeAgentId] = await listedIds(gateway(), { providers: ["FREEAGENT"] });
      moneybird = await contactNode(gateway(), moneybirdId as string);
      freeAgent = await contactNode(gateway(), freeAgentId as string);
      counts = await countContacts();
    });

    async function expectNothingWritten() {
      expect(await countContacts()).toEqual(counts);
      expect(await contactNode(gateway(), moneybird.id)).toEqual(moneybird);
      expect(await contactNode(gateway(), freeAgent.id)).toEqual(freeAgent);
    }

    it.each<[string, Record<string, unknown>, [string[], string][]]>([
      [
        "Moneybird: no name at all",
        { provider: "MONEYBIRD", phone: "06-12345678" },
        [
          [["input", "firstName"], "is required"],
          [["input", "lastName"], "is required"],
          [["input", "companyName"], "is required"],
        ],
      ],
      [
        "Moneybird: an invoice address that is not an email address",
        { provider: "MONEYBIRD", companyName: "X", sendInvoicesToEmail: "facturen at example" },
        [[["input", "sendInvoicesToEmail"], "is invalid"]],
      ],
      [
        "Moneybird: an unknown delivery method",
        { provider: "MONEYBIRD", companyName: "X", deliveryMethod: "Fax" },
        [[["input", "deliveryMethod"], "is not included in the list"]],
      ],
      [
        "Moneybird: a customer id that is taken",
        { provider: "MONEYBIRD", companyName: "X", customerId: "1" },
        [[["input", "customerId"], "has already been taken"]],
      ],
      [
        "Moneybird: a custom field the administration does not have",
        { provider: "MONEYBIRD", companyName: "X", customFields: [{ id: "42", value: "v" }] },
        [[["input", "customFields"], "Custom field with id 42 not found for administration"]],
      ],
      [
        "Moneybird: a contact person without a first name",
        { provider: "MONEYBIRD", companyName: "X", contactPerson: { firstName: "", lastName: "Bos" } },
        [[["input", "contactPerson"], "is invalid"]],
      ],
      [
        "Moneybird: fields only FreeAgent stores",
        {
          provider: "MONEYBIRD",
          companyName: "X",
          email: "a@b.example",
          sendInvoicesToEmail: "b@b.example",
          customFields: null,
          mobile: "06",
          address: { region: "Utrecht" },
        },
        [
          [["input", "mobile"], "MONEYBIRD contacts have no mobile"],
          [["input", "address", "region"], "MONEYBIRD contacts have no address.region"],
          [["input", "email"], "Moneybird stores email as sendInvoicesToEmail: give one of the two"],
          [["input", "customFields"], "List the custom fields to clear, each with value null"],
        ],
      ],
      [
        "Moneybird: no name at all, an invalid email and SEPA without its details, all at once",
        { provider: "MONEYBIRD", email: "nope", sepa: { active: true, iban: "NL91ABNA0417164300" } },
        [
          [["input", "firstName"], "is required"],
          [["input", "lastName"], "is required"],
          [["input", "companyName"], "is required"],
          [["input", "email"], "is invalid"],
          [["input", "sepa", "ibanAccountName"], "can't be blank"],
          [["input", "sepa", "mandateId"], "can't be blank"],
          [["input", "sepa", "mandateDate"], "can't be blank"],
        ],
      ],
      [
        "FreeAgent: no organisation and no names",
        { provider: "FREEAGENT", email: "someone@example.co.uk" },
        [
          [["input", "firstName"], "First name can't be blank"],
          [["input", "lastName"], "Last name can't be blank"],
        ],
      ],
      [
        "FreeAgent: fields only Moneybird stores",
        { provider: "FREEAGENT", companyName: "X", customerId: "77", sendInvoicesToEmail: "a@b.example" },
        [
          [["input", "customerId"], "FREEAGENT contacts have no customerId"],
          [["input", "sendInvoicesToEmail"], "FREEAGENT contacts have no sendInvoicesToEmail"],
        ],
      ],
      [
        "Productive as the provider",
        { provider: "PRODUCTIVE", companyName: "X" },
        [[["input", "provider"], "Productive has companies, not contacts: use createCompany"]],
      ],
    ])("createContact refuses %s", async (_name, input, errors) => {
      expect(await mutate(gateway(), CREATE_CONTACT, { input })).toEqual(validationError(...errors));
      await expectNothingWritten();
    });

    it("updateContact refuses taking every name away, and a field the provider does not store", async () => {
      const noName = { companyName: "", firstName: "", lastName: "" };
      expect(await mutate(gateway(), UPDATE_CONTACT, { input: { id: moneybird.id, ...noName } })).toEqual(
        validationError(
          [["input", "firstName"], "is required"],
          [["input", "lastName"], "is required"],
          [["input", "companyName"], "is required"],
        ),
      );
      expect(await mutate(gateway(), UPDATE_CONTACT, { input: { id: freeAgent.id, ...noName } })).toEqual(
        validationError(
          [["input", "firstName"], "First name can't be blank"],
          [["input", "lastName"], "Last name can't be blank"],
        ),
      );
      expect(await mutate(gateway(), UPDATE_CONTACT, { input: { id: moneybird.id, locale: "nl" } })).toEqual(
        validationError([["input", "locale"], "MONEYBIRD contacts have no locale"]),
      );
      expect(
        await mutate(gateway(), UPDATE_CONTACT, {
          input: { id: freeAgent.id, bankAccount: "NL91ABNA0417164300" },
        }),
      ).toEqual(validationError([["input", "bankAccount"], "FREEAGENT contacts have no bankAccount"]));
      await expectNothingWritten();
    });

    it("NotFoundError with the id for a contact that does not exist", async () => {
      for (const kind of ["MoneybirdContact", "FreeAgentContact"]) {
        const id = encodeGlobalId(kind, "999999");
        expect(await mutate(gateway(), UPDATE_CONTACT, { input: { id, companyName: "X" } })).toEqual(
          notFound(id),
        );
        expect(await mutate(gateway(), ARCHIVE_CONTACT, { id })).toEqual(notFound(id));
        expect(await mutate(gateway(), DELETE_CONTACT, { id })).toEqual(notFound(id));
      }
      await expectNothingWritten();
    });

    it("a ValidationError at the id argument for an id that is not a contact's", async () => {
      const companyId = encodeGlobalId("Company", "1");
      for (const [mutation, variables, path] of [
        [UPDATE_CONTACT, { input: { id: companyId, companyName: "X" } }, ["input", "id"]],
        [ARCHIVE_CONTACT, { id: "garbage" }, ["id"]],
        [DELETE_CONTACT, { id: encodeGlobalId("ContactPerson", `${moneybird.remoteId}/1`) }, ["id"]],
      ] as const) {
        expect(await mutate(gateway(), mutation, variables)).toEqual(
          validationError([[...path], expect.any(String)]),
        );
      }
      await expectNothingWritten();
    });
  });
});
