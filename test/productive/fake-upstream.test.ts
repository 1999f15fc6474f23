import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NotFoundError, UpstreamError, ValidationError } from "../../src/errors.ts";
import { createProductiveSources, type ProductiveSources } from "../../src/sources/productive/index.ts";
import { type FakeProductive, startFakeProductive } from "../fakes/productive.ts";

const ORDER_BY_NAME = { field: "NAME", direction: "ASC" } as const;

describe("Productive adapter against the fake Productive server", () => {
  let fake: FakeProductive;
  let productive: ProductiveSources;
  beforeEach(async () => {
    fake = await startFakeProductive();
    productive = createProductiveSources(fake.config, { timeoutMs: 2_000 });
  });
  afterEach(async () => {
    await productive.close();
    await fake.close();
  });

  async function validationErrorOf(write: Promise<unknown>): Promise<ValidationError["fieldErrors"]> {
    const error = await write.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).fieldErrors;
  }

  it("turns each 422 example of Productive's docs into a ValidationError on the input field", async () => {
    const taken = fake.addCompany({ name: "Productive", domain: "productive.io" });
    const company = fake.addCompany({ name: "Client337" });

    expect(await validationErrorOf(productive.companies.create({ name: "" }))).toEqual([
      { path: ["name"], message: "can't be blank" },
    ]);
    expect(await validationErrorOf(productive.companies.update(company.id, { name: "" }))).toEqual([
      { path: ["name"], message: "can't be blank" },
    ]);
    expect(await validationErrorOf(productive.companies.update(company.id, { domain: "gmail.com" }))).toEqual(
      [{ path: ["domain"], message: "public domains are not allowed" }],
    );
    expect(
      await validationErrorOf(productive.companies.update(company.id, { domain: "productive.io" })),
    ).toEqual([{ path: ["domain"], message: "domain already taken" }]);
    expect(await validationErrorOf(productive.companies.update(company.id, { domain: "" }))).toEqual([
      { path: ["domain"], message: "domain can't be empty string" },
    ]);
    expect(
      await validationErrorOf(productive.companies.update(company.id, { domain: "invalid@format" })),
    ).toEqual([{ path: ["domain"], message: "domain format not valid" }]);
    expect(await productive.companies.update(company.id, { domain: null })).toMatchObject({ domain: null });
    expect((await productive.companies.getByIds([taken.id]))[0]).toMatchObject({ domain: "productive.io" });
  });

  it("sends writes as JSON:API with Productive's headers", async () => {
    await productive.companies.create({ name: "ACME Comp.", domain: "acme.com" });

    const [request] = fake.requests;
    expect(request).toMatchObject({ method: "POST", path: "/api/v2/companies" });
    expect(request?.headers).toMatchObject({
      "content-type": "application/vnd.api+json",
      "x-auth-token": fake.config.apiToken,
      "x-organization-id": fake.config.organizationId,
    });
    expect(request?.body).toEqual({
      data: { type: "companies", attributes: { name: "ACME Comp.", domain: "acme.com" } },
    });
  });

  it("creates a company whose contact details become its contact entries", async () => {
    const company = await productive.companies.create({
      name: "ACME Comp.",
      contact: {
        emails: [{ name: "Email", email: "contact@example.com" }],
        addresses: [{ name: "Headquarters", billingAddress: "Main Street", city: "City" }],
      },
    });
    const [entries] = await productive.contactEntries.listByCompanyIds([company.id], null);

    expect(
      entries?.map((entry) => [entry.type, entry.name, entry.email ?? entry.address, entry.companyId]),
    ).toEqual([
      ["EMAIL", "Email", "contact@example.com", company.id],
      ["ADDRESS", "Headquarters", "Main Street", company.id],
    ]);
    const contact = company.raw.attributes as { contact: { emails: { contact_datum_id: number }[] } };
    expect(String(contact.contact.emails[0]?.contact_datum_id)).toBe(entries?.[0]?.id);
  });

  it("filters, sorts and pages companies upstream", async () => {
    for (const name of ["delta", "Alpha", "charlie", "Bravo", "echo"])
      fake.addCompany({ name, tag_list: ["client"] });
    fake.addCompany({ name: "Archived", archived_at: "2025-07-24T06:04:42.000+02:00", tag_list: ["client"] });

    const page = await productive.companies.list(
      { status: "ACTIVE", tags: ["client"] },
      { field: "NAME", direction: "DESC" },
      { offset: 1, limit: 3 },
    );
    expect(page.items.map((company) => company.name)).toEqual(["delta", "charlie", "Bravo"]);
    expect(page).toMatchObject({ hasNextPage: true, totalCount: 5 });
    expect(fake.requests).toHaveLength(1);
  });

  it("archives and restores a company, and reports a missing one", async () => {
    const company = fake.addCompany({ name: "Client347" });

    expect(await productive.companies.archive(company.id)).toMatchObject({ status: "ARCHIVED" });
    expect(await productive.companies.restore(company.id)).toMatchObject({
      status: "ACTIVE",
      archivedAt: null,
    });
    await expect(productive.companies.archive("999999")).rejects.toThrow(
      new NotFoundError("Company", "999999"),
    );
  });

  it("creates, updates and deletes a contact entry of a company", async () => {
    const company = fake.addCompany({ name: "Client350" });
    const created = await productive.contactEntries.create({
      companyId: company.id,
      type: "PHONE",
      name: "Office",
      phone: "+31 20 123 4567",
    });
    expect(created).toMatchObject({ type: "PHONE", contactableType: "COMPANY", companyId: company.id });

    const updated = await productive.contactEntries.update(created.id, { name: "Desk" });
    expect(updated).toMatchObject({
      id: created.id,
      name: "Desk",
      phone: "+31 20 123 4567",
      companyId: company.id,
    });

    await productive.contactEntries.delete(created.id);
    expect(await productive.contactEntries.getByIds([created.id])).toEqual([null]);
    await expect(productive.contactEntries.delete(created.id)).rejects.toThrow(
      new NotFoundError("ContactEntry", created.id),
    );
    await expect(
      productive.contactEntries.create({ companyId: "999999", type: "EMAIL", name: "Work" }),
    ).rejects.toThrow(new NotFoundError("Company", "999999"));
  });

  it("reports other credentials as UNAUTHORIZED", async () => {
    const intruder = createProductiveSources({ ...fake.config, apiToken: "wrong" }, { timeoutMs: 2_000 });
    await expect(intruder.backend.ping()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      provider: "PRODUCTIVE",
    });
    await intruder.close();
  });

  it("refuses, as Productive does, a body without the JSON:API media type and a filter it does not know", async () => {
    const headers = { "x-auth-token": fake.config.apiToken, "x-organization-id": fake.config.organizationId };
    const plainJson = await fetch(`${fake.origin}/api/v2/companies`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ data: { type: "companies", attributes: { name: "Plain" } } }),
    });
    const unknownFilter = await fetch(`${fake.origin}/api/v2/contact_entries?filter[type]=email`, {
      headers,
    });

    expect(plainJson.status).toBe(415);
    expect(unknownFilter.status).toBe(400);
    expect(await unknownFilter.json()).toMatchObject({ errors: [{ title: "Unsupported Filter" }] });
  });

  it("reports a slow upstream as a TIMEOUT", async () => {
    const impatient = createProductiveSources(fake.config, { timeoutMs: 50 });
    fake.setLatency(500);
    const error = await impatient.companies.getByIds(["1"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: "TIMEOUT" });
    await impatient.close();
  });

  it("reads 100 companies with all their contact entries in 2 requests", async () => {
    const companies = Array.from({ length: 100 }, (_, index) => fake.addCompany({ name: `Client${index}` }));
    for (const company of companies) {
      fake.addContactEntry(company.id, { email: `${company.id}@example.com` });
    }

    const page = await productive.companies.list({}, ORDER_BY_NAME, { offset: 0, limit: 100 });
    const entries = await productive.contactEntries.listByCompanyIds(
      page.items.map((company) => company.id),
      null,
    );

    expect(entries.map((list) => list.length)).toEqual(Array(100).fill(1));
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "GET /api/v2/companies",
      "GET /api/v2/contact_entries",
    ]);
  });
});
