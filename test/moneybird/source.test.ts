import { afterEach, describe, expect, it } from "vitest";
import { BadUserInputError, NotFoundError, UpstreamError, ValidationError } from "../../src/errors.ts";
import { createMoneybirdSources } from "../../src/sources/moneybird/index.ts";
import { type FakeResponse, pathAndQuery, unreachedRateLimits } from "../fakes/exchange.ts";
import { answerInOrder, mockUpstream } from "../fakes/mock-upstream.ts";

/** Unit tests of the Moneybird adapter against undici's MockAgent: the answers a fake Moneybird does not give. */

const ORIGIN = "https://moneybird.test";
const CONTACTS = "/api/v2/42/contacts";

const contactRecord = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  company_name: `Company ${id}`,
  firstname: "",
  lastname: null,
  country: "NL",
  customer_id: id,
  version: 1787320117,
  archived: false,
  contact_people: [],
  notes: [],
  custom_fields: [],
  ...extra,
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A Moneybird whose every answer comes from `answers`, in order; it records what it was sent. */
function mockMoneybird(...answers: FakeResponse[]) {
  const upstream = mockUpstream(ORIGIN, answerInOrder(...answers));
  const sources = createMoneybirdSources(
    {
      apiToken: "secret-token",
      administrationId: "42",
      baseUrl: ORIGIN,
      rateLimits: unreachedRateLimits("MONEYBIRD"),
    },
    upstream,
  );
  closers.push(sources.close, upstream.close);
  return { source: sources.moneybirdContacts, ping: sources.backend.ping, sent: upstream.sent };
}

describe("requests", () => {
  it("lists ids and versions from the synchronization endpoint with the filter's terms", async () => {
    const { source, sent } = mockMoneybird(
      {
        status: 200,
        body: [
          { id: "496081406351378330", version: 1787320117 },
          { id: 496081406381787, version: "1787320118" },
        ],
      },
      { status: 200, body: [] },
    );

    const versions = await source.listVersions({
      lastName: "Jansen",
      updatedAfter: "2026-08-21T15:48:40+02:00",
      includeArchived: true,
    });
    await source.listVersions({});

    expect(versions).toEqual([
      { id: "496081406351378330", version: 1787320117 },
      { id: "496081406381787", version: 1787320118 },
    ]);
    expect(sent.map((request) => `${request.method} ${decodeURIComponent(pathAndQuery(request))}`)).toEqual([
      `GET ${CONTACTS}/synchronization.json?filter=last_name:Jansen,updated_after:2026-08-21T13:48:40.000Z&include_archived=true`,
      `GET ${CONTACTS}/synchronization.json`,
    ]);
  });

  it("sends the bearer token to /api/v2/{administration}/contacts….json", async () => {
    const { source, sent } = mockMoneybird({ status: 200, body: contactRecord("7") });

    await source.getByCustomerId("a b/c");

    expect(sent).toEqual([
      expect.objectContaining({ method: "GET", path: `${CONTACTS}/customer_id/a%20b%2Fc.json` }),
    ]);
    expect(sent[0]?.headers.authorization).toBe("Bearer secret-token");
  });

  it("asks for the second page only when the first one links to it", async () => {
    const page = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => contactRecord(String(from + i)));
    const { source, sent } = mockMoneybird(
      { status: 200, body: page(1, 60), headers: { link: `<${ORIGIN}${CONTACTS}.json?page=2>; rel="next"` } },
      {
        status: 200,
        body: page(61, 60),
        headers: { link: `<${ORIGIN}${CONTACTS}.json?page=3>; rel="next", <x>; rel="prev"` },
      },
      { status: 200, body: page(1, 30) },
    );

    const twoPages = await source.list({}, { offset: 50, limit: 60 });
    const lastPage = await source.list({}, { offset: 50, limit: 60 });

    expect(sent.map(pathAndQuery)).toEqual([
      `${CONTACTS}.json?page=1&per_page=60`,
      `${CONTACTS}.json?page=2&per_page=60`,
      `${CONTACTS}.json?page=1&per_page=60`,
    ]);
    expect(twoPages.items.map((contact) => contact.id)).toEqual(page(51, 60).map((record) => record.id));
    expect(twoPages.hasNextPage).toBe(true);
    expect(lastPage).toEqual({ items: [], hasNextPage: false, totalCount: null });
  });
});

describe("answers", () => {
  it("reads Moneybird's blank strings as absent values", async () => {
    const { source } = mockMoneybird({
      status: 200,
      body: contactRecord("7", {
        phone: "",
        firstname: "",
        contact_people: [{ id: "8", firstname: "Ann", email: "" }],
      }),
    });

    const contact = await source.getByCustomerId("7");

    expect(contact).toMatchObject({ phone: null, firstName: null, lastName: null, companyName: "Company 7" });
    expect(contact?.contactPersons[0]).toMatchObject({
      id: "8",
      contactId: "7",
      firstName: "Ann",
      email: null,
    });
  });

  it("says BAD_RESPONSE for a record of the wrong shape", async () => {
    const { source } = mockMoneybird({ status: 200, body: [{ id: "x" }] });

    await expect(source.getByIds(["1"])).rejects.toMatchObject({
      code: "BAD_RESPONSE",
      provider: "MONEYBIRD",
    });
  });

  // Moneybird's words are free text that may quote the request, and go to the log only.
  it("turns a 400 on a read into a BadUserInputError that does not repeat Moneybird's words", async () => {
    const { source } = mockMoneybird({
      status: 400,
      body: { error: "per_page does not have a valid value" },
    });

    await expect(source.list({}, { offset: 0, limit: 10 })).rejects.toEqual(
      new BadUserInputError("Moneybird refused the query (400)"),
    );
  });

  it("puts every error of a 422 at its input path, and one on no input field on the input as a whole, naming the attribute", async () => {
    const { source } = mockMoneybird({
      status: 422,
      body: { error: { is_trusted: ["is invalid"], sepa_iban: ["is invalid"], firstname: ["is required"] } },
    });

    const failure = await source.update("7", { firstName: null }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as ValidationError).fieldErrors).toEqual([
      { path: [], message: "is_trusted: is invalid" },
      { path: ["sepa", "iban"], message: "is invalid" },
      { path: ["firstName"], message: "is required" },
    ]);
  });

  it("turns a 400 on a write into a ValidationError with Moneybird's message", async () => {
    const { source } = mockMoneybird({
      status: 400,
      body: {
        error: "An contact can only be trusted during the approval of a payment.",
        symbolic: { is_trusted: "permission" },
      },
    });

    const failure = await source.update("7", { companyName: "Acme" }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as ValidationError).fieldErrors).toEqual([
      { path: [], message: "An contact can only be trusted during the approval of a payment." },
    ]);
  });

  it("reads a 404 without a readable body as the record missing", async () => {
    const { source } = mockMoneybird({ status: 404, body: "Not Found" });

    await expect(source.deleteNote("7", "9")).rejects.toEqual(new NotFoundError("ContactNote", "7/9"));
  });

  it("says the delete landed when the read-back after it fails", async () => {
    // A 500, which no read retries: the read-back fails at once.
    const { source, sent } = mockMoneybird({ status: 204 }, { status: 500 });

    const failure = await source.delete("7").catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({
      code: "UNAVAILABLE",
      writeLanded: true,
      message: expect.stringMatching(/^The delete of Moneybird contact 7 .*landed/),
    });
    expect(sent.map((request) => request.method)).toEqual(["DELETE", "GET"]);
  });

  it("answers a delete Moneybird archived with the contact it read back: no third call", async () => {
    const archived = contactRecord("7", { archived: true, version: 1787320200 });
    const { source, sent } = mockMoneybird({ status: 204 }, { status: 200, body: archived });

    const outcome = await source.delete("7");

    expect(outcome).toEqual({
      archived: true,
      contact: expect.objectContaining({ id: "7", archived: true, version: 1787320200, raw: archived }),
    });
    expect(sent.map((request) => `${request.method} ${pathAndQuery(request)}`)).toEqual([
      `DELETE ${CONTACTS}/7.json`,
      `GET ${CONTACTS}/7.json?include_archived=true`,
    ]);
  });

  it("says a create landed when its answer cannot be read, so it is not sent again", async () => {
    const { source, sent } = mockMoneybird({ status: 201, body: { id: "not a contact" } });

    const failure = await source.create({ companyName: "Acme" }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ code: "BAD_RESPONSE", writeLanded: true });
    expect(sent).toHaveLength(1);
  });

  it("says a refused write did not land, and that a write Moneybird failed on (503) is unknown", async () => {
    await expect(
      mockMoneybird({ status: 429, body: "Retry later" }).source.update("7", { phone: "1" }),
    ).rejects.toMatchObject({ code: "RATE_LIMITED", writeLanded: false });
    await expect(mockMoneybird({ status: 503 }).source.update("7", { phone: "1" })).rejects.toMatchObject({
      code: "UNAVAILABLE",
      writeLanded: null,
    });
  });

  it("says a write Moneybird accepted with an unexpected 2xx landed (BAD_RESPONSE, writeLanded true)", async () => {
    await expect(
      mockMoneybird({ status: 200, body: {} }).source.create({ companyName: "Acme" }),
    ).rejects.toMatchObject({
      code: "BAD_RESPONSE",
      writeLanded: true,
    });
    await expect(mockMoneybird({ status: 200 }).source.archive("7")).rejects.toMatchObject({
      code: "BAD_RESPONSE",
      writeLanded: true,
    });
  });

  it("sends a create once, even when Moneybird fails", async () => {
    const { source, sent } = mockMoneybird({ status: 502 });

    await expect(source.create({ companyName: "Acme" })).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect(sent).toHaveLength(1);
  });

  it("maps a rate limit to RATE_LIMITED with Moneybird's RateLimit-Reset epoch", async () => {
    const reset = Math.floor(Date.now() / 1000) + 120;
    const { source } = mockMoneybird({
      status: 429,
      body: "Retry later",
      headers: { "ratelimit-limit": "150", "ratelimit-remaining": "0", "ratelimit-reset": String(reset) },
    });

    const failure = (await source.getByIds(["1"]).catch((error: unknown) => error)) as UpstreamError;

    expect(failure.code).toBe("RATE_LIMITED");
    expect(failure.retryAfterSeconds).toBeGreaterThan(100);
    expect(failure.retryAfterSeconds).toBeLessThanOrEqual(120);
  });

  it("pings with one read, and says which setting is wrong when the administration is unknown", async () => {
    const { ping, sent } = mockMoneybird(
      { status: 200, body: [] },
      { status: 404, body: { error: "record not found" } },
    );

    await ping();
    await expect(ping()).rejects.toMatchObject({
      message: expect.stringMatching(/MONEYBIRD_ADMINISTRATION_ID/),
    });
    expect(sent.map(pathAndQuery)).toEqual([`${CONTACTS}.json?per_page=1`, `${CONTACTS}.json?per_page=1`]);
  });

  it("never puts the token in an error", async () => {
    const { source } = mockMoneybird({ status: 401, body: { error: "Token is invalid" } });

    const failure = (await source.getByCustomerId("7").catch((error: unknown) => error)) as UpstreamError;

    expect(failure.code).toBe("UNAUTHORIZED");
    expect(failure.message).not.toContain("secret-token");
  });
});
