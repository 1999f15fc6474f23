import { randomBytes } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { MoneybirdConfig } from "../../src/config.ts";
import * as rules from "../../src/providers/moneybird/rules.ts";
import { foldCase, isBlank } from "../../src/providers/shared/text.ts";
import { CUSTOM_FIELDS } from "../../src/store/moneybird.ts";
import { loadOpenApiValidator } from "../support/openapi.ts";
import type { FakeResponse, RecordedRequest } from "./exchange.ts";
import { unreachedRateLimits } from "./exchange.ts";
import { type FakeServer, type RunawayPaging, startFakeServer } from "./fake-server.ts";

/**
 * A fake Moneybird API v2 (contacts) on 127.0.0.1. It keeps contacts in the exact response shape of
 * moneybird-contacts.openapi.json, enforces Moneybird's contact rules (src/providers/moneybird/rules.ts,
 * which the local store enforces too) but answers them the way Moneybird does (422/400/404 bodies
 * of the spec), pages with `Link` headers, and checks every exchange against the spec: `violations`
 * lists what broke it.
 */

type Json = Record<string, unknown>;

export interface FakeMoneybirdOptions {
  /** Digits, as Moneybird's are (the spec's `sales_invoices_url` pattern needs them). */
  administrationId?: string;
  apiToken?: string;
  /** Off: the mandate endpoints answer 403, as for an administration without Moneybird Payments. */
  paymentsEnabled?: boolean;
}

/** `reset` returns it to an empty administration with the options' settings and no violations recorded. */
export interface FakeMoneybird extends FakeServer, RunawayPaging {
  /** Connects an adapter to this fake. */
  config: MoneybirdConfig;
  /** Every way an exchange so far broke the OpenAPI document (faults aside); tests expect none. */
  violations: string[];
  setPaymentsEnabled(enabled: boolean): void;
  /** On: synchronization answers no archived contact (the docs leave open whether it does). */
  setSynchronizationOmitsArchived(on: boolean): void;
  /** Stored records, for assertions and fixtures, by id. */
  contact(id: string): Json | undefined;
  /** Fixtures for what the API cannot create: a charge already billed, a mandate the contact set up. */
  addAdditionalCharge(contactId: string, charge: { productId: string; price: string; billed: boolean }): Json;
  setMandate(contactId: string, mandate: Json | null): void;
}

const SPEC = new URL("../support/moneybird-contacts.openapi.json", import.meta.url);
let validator: ReturnType<typeof loadOpenApiValidator> | undefined;
const USER_ID = "496081346724103269";
const FIRST_ID = 496081400000000000n;
const fold = (value: unknown) => foldCase(String(value ?? ""));

const json = (status: number, body?: unknown): FakeResponse => ({ status, body });
const symbolic = (status: number, error: string, symbols: Json) => json(status, { error, symbolic: symbols });
const recordNotFound = () => symbolic(404, "record not found", { id: "not_found" });
const invalid = (errors: rules.ErrorsByAttribute) =>
  json(422, {
    error: errors,
    details: Object.fromEntries(
      Object.entries(errors).map(([key, messages]) => [key, messages.map((error) => ({ error }))]),
    ),
  });

/** A failure `code` (500, 401, …) with Moneybird's `{"error": …}` body, for `failNext`. */
export const moneybirdStatus = (code: number): FakeResponse => json(code, { error: STATUS_CODES[code] });

/** Moneybird's 429 `Retry later` with its RateLimit headers, for `failNext`. */
export function moneybirdRateLimit(retryAfterSeconds = 60): FakeResponse {
  return {
    status: 429,
    body: "Retry later",
    headers: {
      "retry-after": String(retryAfterSeconds),
      "ratelimit-limit": "150",
      "ratelimit-remaining": "0",
      "ratelimit-reset": String(Math.floor(Date.now() / 1000) + retryAfterSeconds),
    },
  };
}

export async function startFakeMoneybird(options: FakeMoneybirdOptions = {}): Promise<FakeMoneybird> {
  const administrationId = options.administrationId ?? "123";
  const apiToken = options.apiToken ?? "fake-moneybird-token";
  let paymentsEnabled = options.paymentsEnabled ?? true;
  let runawayPages = false;
  let synchronizationOmitsArchived = false;
  const administration: rules.Administration = { id: Number(administrationId), userId: USER_ID };
  let lastId = FIRST_ID;
  const nextId = () => String(++lastId);
  const contacts = new Map<string, Json>();
  const charges: { record: Json; billed: boolean }[] = [];
  const mandates = new Map<string, Json>();
  const violations: string[] = [];
  validator ??= loadOpenApiValidator(SPEC, {
    basePath: "/api/v2",
    // Erratum: the document types this path parameter as a numeric identifier, yet a customer id is
    // free text (the create body takes any string, e.g. "K-1001"), and looking one up must conform.
    parameterSchemas: { customer_id: { type: "string", minLength: 1 } },
  });
  const spec = validator;

  const event = (action: string) => rules.newEventRecord(administration, action, new Date());
  const people = (contact: Json) => contact.contact_people as Json[];
  const notes = (contact: Json) => contact.notes as Json[];
  const visible = (contact: Json | undefined, includeArchived: boolean) =>
    contact && (includeArchived || contact.archived !== true) ? contact : undefined;

  /** Where a new record inside a contact belongs, with the next id. */
  const childOrigin = (contactId: string) => ({ administration, contactId, id: nextId(), at: new Date() });

  /**
   * Applies a contact body as Moneybird does, to a record the caller drops when the answer is a 4xx;
   * returns that answer when the result is invalid.
   */
  function applyContact(record: Json, body: Json): FakeResponse | null {
    const [unknownField] = rules.unknownCustomFieldIds(body, CUSTOM_FIELDS);
    if (unknownField !== undefined) {
      return symbolic(404, rules.unknownCustomFieldMessage(unknownField), {
        custom_fields_attributes: "not_found",
      });
    }
    rules.applyContactBody(record, body, CUSTOM_FIELDS);
    const customerIdTaken =
      !isBlank(record.customer_id) &&
      [...contacts.values()].some(
        (other) => other.id !== record.id && other.customer_id === record.customer_id,
      );
    const errors = rules.contactErrors(record, body, { customerIdTaken, customFields: CUSTOM_FIELDS });
    if (rules.hasErrors(errors)) return invalid(errors);
    if (isBlank(record.customer_id)) {
      const highest = Math.max(0, ...[...contacts.values()].map((other) => Number(other.customer_id) || 0));
      record.customer_id = String(highest + 1);
    }
    const person = body.contact_person as Json | undefined;
    if (person) people(record).push(rules.newContactPersonRecord(childOrigin(String(record.id)), person));
    return null;
  }

  function list(request: RecordedRequest, filtered: boolean): FakeResponse {
    const query = request.query;
    const page = Number(query.get("page") ?? "1");
    const perPage = Number(query.get("per_page") ?? "50");
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
      return json(400, { error: "per_page does not have a valid value" });
    }
    if (!Number.isInteger(page) || page < 1) return json(400, { error: "page does not have a valid value" });
    const matches = matching(query, filtered);
    if (!Array.isArray(matches)) return matches;
    // Moneybird counts no pages: a runaway list is one whose every page links a next one.
    const first = runawayPages ? 0 : (page - 1) * perPage;
    const items = matches.slice(first, first + perPage);
    const link = (number: number) => {
      const params = new URLSearchParams(query);
      params.set("page", String(number));
      return `<${server.origin}${request.path}?${params}>`;
    };
    const links = [
      ...(runawayPages || page * perPage < matches.length ? [`${link(page + 1)}; rel="next"`] : []),
      ...(page > 1 ? [`${link(page - 1)}; rel="prev"`] : []),
    ];
    return { status: 200, body: items, headers: links.length > 0 ? { link: links.join(", ") } : {} };
  }

  /** The contacts a list, filter or synchronization request selects, in id order; or its 400. */
  function matching(query: URLSearchParams, filtered: boolean): Json[] | FakeResponse {
    const includeArchived = query.get("include_archived") === "true";
    const tests: ((contact: Json) => boolean)[] = [];
    const search = query.get("query");
    if (search)
      tests.push((contact) =>
        rules.SEARCHED_FIELDS.some((field) => fold(contact[field]).includes(fold(search))),
      );
    for (const term of filtered ? (query.get("filter") ?? "").split(",").filter(Boolean) : []) {
      const colon = term.indexOf(":");
      const [key, value] = [term.slice(0, colon), term.slice(colon + 1)];
      if (key === "first_name" || key === "last_name") {
        const attribute = key === "first_name" ? "firstname" : "lastname";
        tests.push((contact) => fold(contact[attribute]) === fold(value));
      } else if (key === "created_after" || key === "updated_after") {
        const after = Date.parse(value);
        if (Number.isNaN(after)) return symbolic(400, `${key} is not a valid time`, { filter: "invalid" });
        const attribute = key === "created_after" ? "created_at" : "updated_at";
        tests.push((contact) => Date.parse(String(contact[attribute])) > after);
      } else if (key in rules.VALUE_FILTERS) {
        const read = rules.VALUE_FILTERS[key as rules.ValueFilterKey];
        if (value !== "all") tests.push((contact) => read(contact) === value);
      } else {
        return symbolic(400, `Unknown filter ${key}`, { filter: "invalid" });
      }
    }
    // The plain list's own parameters (the spec declares them on GET /contacts alone).
    if (!filtered) {
      const parameters = {
        todo: query.get("todo") ?? undefined,
        contactField: query.get("contact_field") ?? undefined,
        contactValue: query.get("contact_value") ?? undefined,
      };
      tests.push((contact) => rules.matchesListParameters(contact, parameters));
    }
    return [...contacts.values()].filter(
      (contact) => visible(contact, includeArchived) && tests.every((test) => test(contact)),
    );
  }

  const routes: [string, RegExp, (request: RecordedRequest, ...ids: string[]) => FakeResponse][] = [
    ["GET", /^$/, (request) => list(request, false)],
    ["GET", /^\/filter$/, (request) => list(request, true)],
    [
      "GET",
      /^\/synchronization$/,
      (request) => {
        const matches = matching(request.query, true);
        return Array.isArray(matches)
          ? json(
              200,
              matches.map(({ id, version }) => ({ id, version })),
            )
          : matches;
      },
    ],
    [
      "POST",
      /^\/synchronization$/,
      (request) => {
        const ids = (request.body as Json | undefined)?.ids;
        if (!Array.isArray(ids)) return symbolic(400, "ids is missing", { ids: "missing" });
        const wanted = new Set(ids.slice(0, 100).map(String));
        return json(
          200,
          [...contacts.values()].filter(
            (contact) =>
              wanted.has(String(contact.id)) && !(synchronizationOmitsArchived && contact.archived === true),
          ),
        );
      },
    ],
    [
      "GET",
      /^\/customer_id\/([^/]+)$/,
      (_request, customerId) => {
        const found = [...contacts.values()].find((contact) => contact.customer_id === customerId);
        return found ? json(200, found) : symbolic(404, "record not found", { customer_id: "not_found" });
      },
    ],
    [
      "GET",
      /^\/(\d+)$/,
      (request, id) => {
        const found = visible(contacts.get(id), request.query.get("include_archived") === "true");
        return found ? json(200, found) : recordNotFound();
      },
    ],
    [
      "POST",
      /^$/,
      (request) => {
        const body = (request.body as Json | undefined)?.contact as Json | undefined;
        if (!body) return symbolic(400, "Contact is required", { contact: "required" });
        const record = rules.newContactRecord(administration, nextId(), new Date());
        const failure = applyContact(record, body);
        if (failure) return failure;
        (record.events as Json[]).push(event("contact_created"));
        contacts.set(String(record.id), record);
        return json(201, record);
      },
    ],
    [
      "PATCH",
      /^\/(\d+)$/,
      (request, id) => {
        const record = contacts.get(id);
        if (!record) return recordNotFound();
        const body = (request.body as Json | undefined)?.contact as Json | undefined;
        if (!body) return symbolic(400, "Contact is required", { contact: "required" });
        const changed = structuredClone(record);
        const failure = applyContact(changed, body);
        if (failure) return failure;
        rules.touch(changed, new Date());
        (changed.events as Json[]).push(event("contact_updated"));
        contacts.set(id, changed);
        return json(200, changed);
      },
    ],
    [
      "DELETE",
      /^\/(\d+)$/,
      (_request, id) => {
        const record = contacts.get(id);
        if (!record) return recordNotFound();
        // Moneybird archives what it cannot delete; here, a contact with additional charges.
        if (charges.some((charge) => charge.record.contact_id === id)) {
          record.archived = true;
          rules.touch(record, new Date());
        } else {
          contacts.delete(id);
        }
        return json(204);
      },
    ],
    [
      "PATCH",
      /^\/(\d+)\/archive$/,
      (_request, id) => {
        const record = contacts.get(id);
        if (!record) return recordNotFound();
        if (record.archived)
          return symbolic(400, "Contact can not be archived", { id: "can_not_be_archived" });
        record.archived = true;
        rules.touch(record, new Date());
        return json(204);
      },
    ],
    [
      "GET",
      /^\/(\d+)\/contact_people\/(\d+)$/,
      (_request, contactId, id) => {
        const person = people(contacts.get(contactId) ?? { contact_people: [] }).find(
          (candidate) => candidate.id === id,
        );
        return person ? json(200, person) : recordNotFound();
      },
    ],
    [
      "POST",
      /^\/(\d+)\/contact_people$/,
      (request, contactId) => {
        const record = contacts.get(contactId);
        if (!record) return invalid({ contact: ["must exist"] });
        const body = ((request.body as Json | undefined)?.contact_person ?? {}) as Json;
        const errors = rules.contactPersonErrors(body);
        if (rules.hasErrors(errors)) return invalid(errors);
        const person = rules.newContactPersonRecord(childOrigin(contactId), body);
        people(record).push(person);
        rules.touch(record, new Date());
        return json(201, person);
      },
    ],
    [
      "PATCH",
      /^\/(\d+)\/contact_people\/(\d+)$/,
      (request, contactId, id) => {
        const record = contacts.get(contactId);
        if (!record) return recordNotFound();
        const person = people(record).find((candidate) => candidate.id === id);
        if (!person) return symbolic(404, "contact person not found", { contact_person_id: "not_found" });
        const changed = {
          ...person,
          ...(((request.body as Json | undefined)?.contact_person ?? {}) as Json),
        };
        const errors = rules.contactPersonErrors(changed);
        if (rules.hasErrors(errors)) return invalid(errors);
        Object.assign(person, changed);
        rules.touch(person, new Date());
        rules.touch(record, new Date());
        return json(200, person);
      },
    ],
    [
      "DELETE",
      /^\/(\d+)\/contact_people\/(\d+)$/,
      (_request, contactId, id) => removeEmbedded(contactId, "contact_people", id),
    ],
    [
      "POST",
      /^\/(\d+)\/notes$/,
      (request, contactId) => {
        const record = contacts.get(contactId);
        if (!record) return symbolic(400, "Entity is invalid", { entity: "not_found" });
        const body = ((request.body as Json | undefined)?.note ?? {}) as Json;
        if (isBlank(body.note)) return invalid({ note: ["can't be blank"] });
        const note = rules.newNoteRecord(childOrigin(contactId), body);
        notes(record).push(note);
        rules.touch(record, new Date());
        return json(201, note);
      },
    ],
    [
      "DELETE",
      /^\/(\d+)\/notes\/(\d+)$/,
      (_request, contactId, id) => removeEmbedded(contactId, "notes", id),
    ],
    [
      "GET",
      /^\/(\d+)\/additional_charges$/,
      (request, contactId) => {
        if (!contacts.has(contactId)) return recordNotFound();
        const includeBilled = request.query.get("include_billed") === "true";
        return json(
          200,
          charges
            .filter((charge) => charge.record.contact_id === contactId && (includeBilled || !charge.billed))
            .map((charge) => charge.record),
        );
      },
    ],
    [
      "POST",
      /^\/(\d+)\/additional_charges$/,
      (request, contactId) => {
        if (!contacts.has(contactId)) return recordNotFound();
        const body = (request.body ?? {}) as Json;
        if (isBlank(String(body.product_id ?? "")))
          return symbolic(400, "product_id is missing", { product_id: "missing" });
        if (!/^\d+$/.test(String(body.product_id)))
          return symbolic(404, "Product not found", { product_id: "not_found" });
        if (isBlank(String(body.price ?? "")) || !Number.isFinite(Number(body.price))) {
          return symbolic(400, "price is invalid", { price: "invalid" });
        }
        if (body.period !== undefined && !rules.isChargePeriod(body.period)) {
          return symbolic(400, "period is invalid", { period: "invalid" });
        }
        const record = rules.newAdditionalChargeRecord(childOrigin(contactId), body);
        charges.push({ record, billed: false });
        return json(201, record);
      },
    ],
    [
      "GET",
      /^\/(\d+)\/moneybird_payments_mandate$/,
      (_request, contactId) =>
        withPayments(contactId, () => {
          const mandate = mandates.get(contactId);
          return mandate ? json(200, mandate) : json(404);
        }),
    ],
    [
      "POST",
      /^\/(\d+)\/moneybird_payments_mandate$/,
      (_request, contactId) => withPayments(contactId, () => json(204)),
    ],
    [
      "POST",
      /^\/(\d+)\/moneybird_payments_mandate\/url$/,
      (_request, contactId) =>
        withPayments(contactId, () =>
          json(201, {
            url: `https://moneybird.com/${administrationId}/mandate_requests/${randomBytes(24).toString("base64url")}`,
          }),
        ),
    ],
    [
      "DELETE",
      /^\/(\d+)\/moneybird_payments_mandate$/,
      (_request, contactId) =>
        withPayments(contactId, () => {
          if (mandates.delete(contactId)) {
            const record = contacts.get(contactId) as Json;
            record.moneybird_payments_mandate = false;
            rules.touch(record, new Date());
          }
          return json(204);
        }),
    ],
  ];

  /** Deletes a contact person or note, which Moneybird keeps inside its contact. */
  function removeEmbedded(contactId: string, list: "contact_people" | "notes", id: string): FakeResponse {
    const record = contacts.get(contactId);
    const embedded = (record?.[list] ?? []) as Json[];
    if (!record || !embedded.some((item) => item.id === id)) return recordNotFound();
    record[list] = embedded.filter((item) => item.id !== id);
    rules.touch(record, new Date());
    return json(204);
  }

  // The spec gives these 403s and 404s an `integer` body; Moneybird's own answer is not documented, so none is sent.
  function withPayments(contactId: string, answer: () => FakeResponse): FakeResponse {
    if (!paymentsEnabled) return json(403);
    return contacts.has(contactId) ? answer() : json(404);
  }

  function handle(request: RecordedRequest): FakeResponse {
    if (request.headers.authorization !== `Bearer ${apiToken}`) {
      return symbolic(401, "Token is invalid", { token: "invalid" });
    }
    const prefix = `/api/v2/${administrationId}/contacts`;
    if (!request.path.startsWith(prefix))
      return symbolic(404, "record not found", { administration_id: "not_found" });
    const rest = request.path.slice(prefix.length).replace(/\.json$/, "");
    for (const [method, pattern, route] of routes) {
      const match = method === request.method ? pattern.exec(rest) : null;
      if (match) return route(request, ...match.slice(1).map(decodeURIComponent));
    }
    return recordNotFound();
  }

  const server = await startFakeServer(
    (request) => {
      const response = handle(request);
      violations.push(...spec.check(request, response));
      return response;
    },
    {
      reset: () => {
        contacts.clear();
        charges.length = 0;
        mandates.clear();
        violations.length = 0;
        paymentsEnabled = options.paymentsEnabled ?? true;
        runawayPages = false;
        synchronizationOmitsArchived = false;
      },
    },
  );

  return {
    ...server,
    config: {
      apiToken,
      administrationId,
      baseUrl: server.origin,
      rateLimits: unreachedRateLimits("MONEYBIRD"),
    },
    violations,
    setPaymentsEnabled(enabled) {
      paymentsEnabled = enabled;
    },
    setSynchronizationOmitsArchived(on) {
      synchronizationOmitsArchived = on;
    },
    claimRunawayPages(on) {
      runawayPages = on;
    },
    contact: (id) => contacts.get(id),
    addAdditionalCharge(contactId, charge) {
      const record = rules.newAdditionalChargeRecord(childOrigin(contactId), {
        product_id: charge.productId,
        price: charge.price,
        amount: "1 x",
      });
      charges.push({ record, billed: charge.billed });
      return record;
    },
    setMandate(contactId, mandate) {
      const record = contacts.get(contactId);
      if (!record) throw new Error(`no contact ${contactId}`);
      if (mandate) mandates.set(contactId, mandate);
      else mandates.delete(contactId);
      record.moneybird_payments_mandate = mandate !== null;
    },
  };
}
