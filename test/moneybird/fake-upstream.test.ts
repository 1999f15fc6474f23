import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BadUserInputError, NotFoundError, UpstreamError, ValidationError } from "../../src/errors.ts";
import type { UpstreamRequestEvent } from "../../src/http/upstream-client.ts";
import type { MoneybirdContactSource } from "../../src/ports.ts";
import { createMoneybirdSources } from "../../src/sources/moneybird/index.ts";
import { CUSTOM_FIELDS } from "../../src/store/moneybird.ts";
import { pathAndQuery } from "../fakes/exchange.ts";
import { type FakeMoneybird, moneybirdRateLimit, startFakeMoneybird } from "../fakes/moneybird.ts";

/** The Moneybird adapter end to end against the fake Moneybird: what it sends, how many calls, what it makes of the answers. */

let fake: FakeMoneybird;
let source: MoneybirdContactSource;
let ping: () => Promise<void>;
let events: UpstreamRequestEvent[];
let close: () => Promise<void>;

beforeEach(async () => {
  fake = await startFakeMoneybird();
  events = [];
  const sources = createMoneybirdSources(fake.config, {
    timeoutMs: 5_000,
    onRequest: (event) => events.push(event),
  });
  source = sources.moneybirdContacts;
  ping = sources.backend.ping;
  close = sources.close;
});

afterEach(async () => {
  await close();
  await fake.close();
  expect(fake.violations).toEqual([]);
});

const company = (name: string) => source.create({ companyName: name });
async function companies(count: number) {
  const created = [];
  for (let i = 1; i <= count; i++) created.push(await company(`Company ${String(i).padStart(3, "0")}`));
  fake.clearRequests();
  events.length = 0;
  return created;
}
const sent = () => fake.requests.map((request) => `${request.method} ${pathAndQuery(request)}`);

describe("reads", () => {
  it("fetches 100 contacts by id in one synchronization call, in the order asked, null for unknown ids", async () => {
    const created = await companies(100);
    const ids = created.map((contact) => contact.id).reverse();

    const found = await source.getByIds([...ids, "not-an-id"]);

    expect(sent()).toEqual(["POST /api/v2/123/contacts/synchronization.json"]);
    expect(fake.requests[0]?.body).toEqual({ ids });
    expect(found.map((contact) => contact?.id ?? null)).toEqual([...ids, null]);
  });

  it("splits more than 100 ids into calls of at most 100", async () => {
    const created = await companies(100);

    const found = await source.getByIds([...created.map((contact) => contact.id), "1"]);

    const synchronizations = fake.requests.filter((request) => request.method === "POST");
    expect(synchronizations.map((request) => (request.body as { ids: string[] }).ids.length).sort()).toEqual([
      1, 100,
    ]);
    // The one id neither answered is then asked of the single read, which answers 404.
    expect(sent().filter((line) => line.startsWith("GET"))).toEqual([
      "GET /api/v2/123/contacts/1.json?include_archived=true",
    ]);
    expect(found.filter((contact) => contact === null)).toHaveLength(1);
    expect(found.at(-1)).toBeNull();
  });

  it("reads the contacts synchronization leaves out (archived ones) by the single read, after the batch", async () => {
    const [kept, archived] = await companies(2);
    await source.archive(archived?.id ?? "");
    fake.setSynchronizationOmitsArchived(true);
    fake.clearRequests();

    const found = await source.getByIds([kept?.id ?? "", archived?.id ?? ""]);

    expect(sent()).toEqual([
      "POST /api/v2/123/contacts/synchronization.json",
      `GET /api/v2/123/contacts/${archived?.id}.json?include_archived=true`,
    ]);
    expect(found.map((contact) => [contact?.id, contact?.archived])).toEqual([
      [kept?.id, false],
      [archived?.id, true],
    ]);
  });

  it("keeps Moneybird's 18-digit ids exact and its record as raw", async () => {
    const [created] = await companies(1);

    const [found] = await source.getByIds([created?.id ?? ""]);

    expect(found?.id).toMatch(/^\d{18}$/);
    expect(found?.raw).toEqual(fake.contact(found?.id ?? ""));
  });

  it("lists a page with its contact people in one call", async () => {
    await source.create({ companyName: "Acme", contactPerson: { firstName: "Ann", lastName: "Smith" } });
    await companies(0);

    const page = await source.list({}, { offset: 0, limit: 10 });

    expect(sent()).toEqual(["GET /api/v2/123/contacts.json?page=1&per_page=10"]);
    expect(page.items[0]?.contactPersons.map((person) => person.firstName)).toEqual(["Ann"]);
    expect(page).toMatchObject({ hasNextPage: false, totalCount: null });
  });

  it("serves an offset window from one page when a page size holds it, else from the two pages covering it", async () => {
    const created = await companies(100);
    const names = (contacts: { companyName: string | null }[]) =>
      contacts.map((contact) => contact.companyName);

    const inOnePage = await source.list({}, { offset: 10, limit: 20 });
    expect(sent()).toEqual(["GET /api/v2/123/contacts.json?page=1&per_page=30"]);
    expect(names(inOnePage.items)).toEqual(names(created.slice(10, 30)));
    expect(inOnePage.hasNextPage).toBe(true);

    fake.clearRequests();
    const acrossTwo = await source.list({}, { offset: 50, limit: 60 });
    expect(sent()).toEqual([
      "GET /api/v2/123/contacts.json?page=1&per_page=60",
      "GET /api/v2/123/contacts.json?page=2&per_page=60",
    ]);
    expect(names(acrossTwo.items)).toEqual(names(created.slice(50, 100)));
    expect(acrossTwo.hasNextPage).toBe(false);
  });

  it("reads hasNextPage from the Link header when the window ends with the page", async () => {
    await companies(20);

    expect((await source.list({}, { offset: 0, limit: 10 })).hasNextPage).toBe(true);
    expect((await source.list({}, { offset: 10, limit: 10 })).hasNextPage).toBe(false);
    expect(fake.requests).toHaveLength(2);
  });

  it("maps query to the search, name and time filters to the filter endpoint, and includeArchived to both", async () => {
    const ann = await source.create({ firstName: "Ann", lastName: "Smith", address: { city: "Utrecht" } });
    const bob = await source.create({ firstName: "Bob", lastName: "Smith" });
    await source.archive(bob.id);
    await companies(0);
    const window = { offset: 0, limit: 20 };

    expect((await source.list({ query: "utrecht" }, window)).items.map((c) => c.id)).toEqual([ann.id]);
    expect((await source.list({ lastName: "SMITH" }, window)).items.map((c) => c.id)).toEqual([ann.id]);
    const archivedToo = await source.list({ lastName: "smith", includeArchived: true }, window);
    expect(archivedToo.items.map((c) => c.id)).toEqual([ann.id, bob.id]);
    const since = await source.list(
      { createdAfter: "2000-01-01T02:00:00+02:00", firstName: "ann", query: "smith" },
      window,
    );
    expect(since.items.map((c) => c.id)).toEqual([ann.id]);

    expect(sent()).toEqual([
      "GET /api/v2/123/contacts.json?query=utrecht&page=1&per_page=20",
      "GET /api/v2/123/contacts/filter.json?filter=last_name%3ASMITH&page=1&per_page=20",
      "GET /api/v2/123/contacts/filter.json?filter=last_name%3Asmith&include_archived=true&page=1&per_page=20",
      "GET /api/v2/123/contacts/filter.json?filter=first_name%3Aann%2Ccreated_after%3A2000-01-01T00%3A00%3A00.000Z&query=smith&page=1&per_page=20",
    ]);
  });

  it("sends todo, contact_field and contact_value to the plain list, where the spec declares them", async () => {
    const ann = await source.create({ firstName: "Ann", lastName: "Smith", address: { city: "Utrecht" } });
    await source.create({ firstName: "Bob", lastName: "Smith", address: { city: "Utrechtse Heuvelrug" } });
    await companies(0);
    const window = { offset: 0, limit: 20 };

    const inCity = await source.list(
      { contactField: "city", contactValue: "UTRECHT", query: "smith" },
      window,
    );
    expect(inCity.items.map((c) => c.id)).toEqual([ann.id]);
    expect((await source.list({ todo: "contact_email_blocked" }, window)).items).toEqual([]);

    expect(sent()).toEqual([
      "GET /api/v2/123/contacts.json?query=smith&contact_field=city&contact_value=UTRECHT&page=1&per_page=20",
      "GET /api/v2/123/contacts.json?todo=contact_email_blocked&page=1&per_page=20",
    ]);
  });

  it("refuses, without a call, filters Moneybird cannot express and pages it cannot serve", async () => {
    const window = { offset: 0, limit: 10 };
    await expect(source.list({ todo: "contact_email_blocked", firstName: "Ann" }, window)).rejects.toThrow(
      BadUserInputError,
    );
    await expect(source.list({ contactValue: "Utrecht" }, window)).rejects.toThrow(BadUserInputError);
    await expect(source.list({ lastName: "Smith, Jones" }, window)).rejects.toThrow(BadUserInputError);
    await expect(source.list({ createdAfter: "yesterday" }, window)).rejects.toThrow(BadUserInputError);
    await expect(source.list({}, { offset: 0, limit: 101 })).rejects.toThrow(BadUserInputError);
    expect(fake.requests).toHaveLength(0);
  });

  it("finds a contact by customer id, and null when there is none", async () => {
    const created = await source.create({ companyName: "Acme", customerId: "4242" });

    expect((await source.getByCustomerId("4242"))?.id).toBe(created.id);
    expect(await source.getByCustomerId("4243")).toBeNull();
  });

  it("answers ping with one cheap read", async () => {
    await ping();
    expect(sent()).toEqual(["GET /api/v2/123/contacts.json?per_page=1"]);
  });
});

describe("contact writes", () => {
  it("creates a contact with custom fields and a first contact person in one wrapped request", async () => {
    const field = CUSTOM_FIELDS[0];
    const created = await source.create({
      companyName: "Acme",
      attention: "Finance",
      sendInvoicesToEmail: "billing@acme.test",
      customFields: [{ id: field.id, value: "Ann" }],
      contactPerson: { firstName: "Ann", lastName: "Smith" },
    });

    expect(fake.requests.map((request) => request.body)).toEqual([
      {
        contact: {
          company_name: "Acme",
          send_invoices_to_attention: "Finance",
          send_invoices_to_email: "billing@acme.test",
          custom_fields_attributes: [{ id: field.id, value: "Ann" }],
          contact_person: { firstname: "Ann", lastname: "Smith" },
        },
      },
    ]);
    expect(created).toMatchObject({
      companyName: "Acme",
      attention: "Finance",
      email: "billing@acme.test",
      customFields: [{ id: field.id, name: field.name, value: "Ann" }],
      contactPersons: [{ firstName: "Ann", lastName: "Smith", contactId: created.id }],
    });
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${fake.config.apiToken}`);
  });

  it("turns a 422 into a ValidationError on the GraphQL input's paths", async () => {
    const failure = await source.create({ firstName: "Ann" }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as ValidationError).fieldErrors).toEqual([
      { path: ["lastName"], message: "is required" },
      { path: ["companyName"], message: "is required" },
    ]);
  });

  it("turns an unknown custom field (a 404 naming it) into a ValidationError, not a NotFoundError", async () => {
    const failure = await source
      .create({ companyName: "Acme", customFields: [{ id: "1", value: "x" }] })
      .catch((e) => e);

    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as ValidationError).fieldErrors[0]?.path).toEqual(["customFields"]);
  });

  it("updates only the given fields, clearing a field sent as null", async () => {
    const created = await source.create({
      companyName: "Acme",
      phone: "+31 20 123 4567",
      taxNumber: "NL001",
    });

    const updated = await source.update(created.id, { phone: null, chamberOfCommerce: "1234" });

    expect(fake.requests.at(-1)?.body).toEqual({ contact: { phone: "", chamber_of_commerce: "1234" } });
    expect(updated).toMatchObject({ phone: null, chamberOfCommerce: "1234", taxNumber: "NL001" });
    expect(updated.version).toBeGreaterThan(created.version);
  });

  it("says NotFoundError for a contact that does not exist, and sends nothing for an id Moneybird cannot have", async () => {
    await expect(source.update("496081400000009999", { phone: "1" })).rejects.toEqual(
      new NotFoundError("MoneybirdContact", "496081400000009999"),
    );
    await expect(source.archive("abc")).rejects.toThrow(NotFoundError);
    expect(fake.requests).toHaveLength(1);
  });

  it("deletes a contact and reads back that it is gone: two calls", async () => {
    const created = await company("Acme");
    fake.clearRequests();

    expect(await source.delete(created.id)).toEqual({ archived: false, contact: null });
    expect(sent()).toEqual([
      `DELETE /api/v2/123/contacts/${created.id}.json`,
      `GET /api/v2/123/contacts/${created.id}.json?include_archived=true`,
    ]);
    expect(fake.contact(created.id)).toBeUndefined();
  });

  it("reports a delete Moneybird turned into an archive, with the archived contact it read back", async () => {
    const created = await company("Acme");
    fake.addAdditionalCharge(created.id, { productId: "7", price: "10", billed: true });
    fake.clearRequests();

    const outcome = await source.delete(created.id);

    expect(outcome).toEqual({ archived: true, contact: expect.objectContaining({ id: created.id }) });
    expect(outcome.contact).toEqual((await source.getByIds([created.id]))[0]);
    expect(outcome.contact?.archived).toBe(true);
    expect(sent().slice(0, 2)).toEqual([
      `DELETE /api/v2/123/contacts/${created.id}.json`,
      `GET /api/v2/123/contacts/${created.id}.json?include_archived=true`,
    ]);
  });

  it("archives a contact; archiving it again is Moneybird's 400, a ValidationError", async () => {
    const created = await company("Acme");

    await source.archive(created.id);
    const again = await source.archive(created.id).catch((error: unknown) => error);

    expect(fake.contact(created.id)?.archived).toBe(true);
    expect(again).toBeInstanceOf(ValidationError);
    expect((again as ValidationError).fieldErrors).toEqual([
      { path: [], message: "Contact can not be archived" },
    ]);
  });

  it("never retries a create, whatever Moneybird answers", async () => {
    fake.failNext(moneybirdRateLimit(42));

    const failure = await source.create({ companyName: "Acme" }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ code: "RATE_LIMITED", retryAfterSeconds: 42 });
    expect(fake.requests).toHaveLength(1);
    expect(events.map((event) => event.status)).toEqual([429]);
  });
});

describe("contact people and notes", () => {
  it("creates, updates and deletes a contact person", async () => {
    const contact = await company("Acme");

    const person = await source.createContactPerson(contact.id, {
      firstName: "Ann",
      lastName: "Smith",
      email: "ann@acme.test",
    });
    const updated = await source.updateContactPerson(contact.id, person.id, { department: "Sales" });
    await source.deleteContactPerson(contact.id, person.id);

    expect(fake.requests.slice(1).map((request) => [request.method, request.body])).toEqual([
      ["POST", { contact_person: { firstname: "Ann", lastname: "Smith", email: "ann@acme.test" } }],
      ["PATCH", { contact_person: { department: "Sales" } }],
      ["DELETE", undefined],
    ]);
    expect(person).toMatchObject({ contactId: contact.id, firstName: "Ann", email: "ann@acme.test" });
    expect(updated).toMatchObject({ id: person.id, department: "Sales", lastName: "Smith" });
    expect(fake.contact(contact.id)?.contact_people).toEqual([]);
  });

  it("names the missing record: the contact for a create, the person (contactId/id) for an update", async () => {
    const contact = await company("Acme");

    await expect(
      source.createContactPerson("496081400000009999", { firstName: "A", lastName: "B" }),
    ).rejects.toEqual(new NotFoundError("MoneybirdContact", "496081400000009999"));
    await expect(source.updateContactPerson(contact.id, "1", { firstName: "A" })).rejects.toEqual(
      new NotFoundError("ContactPerson", `${contact.id}/1`),
    );
    await expect(source.deleteContactPerson(contact.id, "1")).rejects.toThrow(NotFoundError);
    const invalid = await source
      .createContactPerson(contact.id, { firstName: "A" })
      .catch((error: unknown) => error);
    expect((invalid as ValidationError).fieldErrors).toEqual([
      { path: ["lastName"], message: "can't be blank" },
    ]);
  });

  it("adds a to-do note for an assignee and deletes it", async () => {
    const contact = await company("Acme");

    const note = await source.addNote(contact.id, {
      note: "Call back",
      todo: true,
      assigneeId: "496081346724103270",
    });
    await source.deleteNote(contact.id, note.id);

    expect(fake.requests[1]?.body).toEqual({
      note: { note: "Call back", todo: true, assignee_id: "496081346724103270" },
    });
    expect(note).toMatchObject({
      contactId: contact.id,
      note: "Call back",
      todo: true,
      assigneeId: "496081346724103270",
    });
    await expect(source.deleteNote(contact.id, note.id)).rejects.toEqual(
      new NotFoundError("ContactNote", `${contact.id}/${note.id}`),
    );
  });

  it("reads Moneybird's 400 for a note on a missing contact as that contact missing", async () => {
    await expect(source.addNote("496081400000009999", { note: "Hi" })).rejects.toEqual(
      new NotFoundError("MoneybirdContact", "496081400000009999"),
    );
  });
});

describe("additional charges and mandates", () => {
  it("creates an unwrapped charge and lists unbilled charges unless billed ones are asked for", async () => {
    const contact = await company("Acme");
    const billed = fake.addAdditionalCharge(contact.id, { productId: "7", price: "10", billed: true });

    const charge = await source.createAdditionalCharge(contact.id, {
      productId: "496081405771515703",
      amount: "5 x",
      price: "100",
      period: "20210601..20210630",
    });
    const unbilled = await source.listAdditionalCharges(contact.id, false);
    const all = await source.listAdditionalCharges(contact.id, true);

    expect(fake.requests[1]?.body).toEqual({
      product_id: "496081405771515703",
      amount: "5 x",
      price: "100",
      period: "20210601..20210630",
    });
    expect(charge).toMatchObject({
      productId: "496081405771515703",
      price: "100.0",
      period: "202106..202106",
    });
    expect(unbilled.map((c) => c.id)).toEqual([charge.id]);
    expect(all.map((c) => c.id)).toEqual([billed.id, charge.id]);
    expect(fake.requests.slice(2).map((request) => request.query.get("include_billed"))).toEqual([
      null,
      "true",
    ]);
  });

  it("maps a charge's missing product to productId and a missing contact to NotFoundError", async () => {
    const contact = await company("Acme");

    const failure = await source
      .createAdditionalCharge(contact.id, { productId: "x1", price: "1" })
      .catch((e) => e);
    expect((failure as ValidationError).fieldErrors).toEqual([
      { path: ["productId"], message: "Product not found" },
    ]);
    await expect(source.listAdditionalCharges("496081400000009999", true)).rejects.toThrow(NotFoundError);
  });

  it("reads a mandate, null when there is none, and requests, links and deletes one", async () => {
    const contact = await company("Acme");
    expect(await source.getPaymentsMandate(contact.id)).toBeNull();
    fake.setMandate(contact.id, {
      type: "ideal",
      sepa_mandate: true,
      bank: "Test bank",
      iban: "NL81TEST0536169128",
      bic: "TESTNL05",
      iban_account_name: "E. Klaassen",
      card_expiry_month: null,
      card_expiry_year: null,
      card_final_digits: null,
      created_at: "2022-04-07T13:31:09.000Z",
    });

    expect(await source.getPaymentsMandate(contact.id)).toMatchObject({
      sepaMandate: true,
      iban: "NL81TEST0536169128",
    });
    await source.requestPaymentsMandate(contact.id, {
      emailMessage: "Please sign",
      identityId: "496081346724103299",
    });
    const url = await source.createPaymentsMandateUrl(contact.id, null);
    await source.deletePaymentsMandate(contact.id);

    expect(url).toMatch(/^https:\/\/moneybird\.com\/123\/mandate_requests\//);
    expect(
      fake.requests
        .slice(3)
        .map((request) => [request.method, request.path.split("/").slice(6).join("/"), request.body]),
    ).toEqual([
      [
        "POST",
        "moneybird_payments_mandate.json",
        { mandate_request: { email_message: "Please sign", identity_id: "496081346724103299" } },
      ],
      ["POST", "moneybird_payments_mandate/url.json", { mandate_request: {} }],
      ["DELETE", "moneybird_payments_mandate.json", undefined],
    ]);
    expect(await source.getPaymentsMandate(contact.id)).toBeNull();
  });

  it("says FORBIDDEN when Moneybird Payments is off", async () => {
    const contact = await company("Acme");
    fake.setPaymentsEnabled(false);

    await expect(source.getPaymentsMandate(contact.id)).rejects.toMatchObject({
      code: "FORBIDDEN",
      provider: "MONEYBIRD",
    });
    await expect(source.requestPaymentsMandate(contact.id, {})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
