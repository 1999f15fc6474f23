import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { MoneybirdConfig } from "../../src/config.ts";
import { CUSTOM_FIELDS } from "../../src/store/moneybird.ts";
import { loadOpenApiValidator } from "../support/openapi.ts";
import { type FakeResponse, type FakeServer, type RecordedRequest, startFakeServer } from "./fake-server.ts";

/**
 * A fake Moneybird API v2 (contacts) on 127.0.0.1. It keeps contacts in the exact response shape of
 * moneybird-contacts.openapi.json, enforces the rules the local store enforces (src/store/moneybird.ts)
 * but answers them the way Moneybird does (422/400/404 bodies of the spec), pages with `Link`
 * headers, and checks every exchange against the spec: `violations` lists what broke it.
 */

type Json = Record<string, unknown>;
type Errors = Record<string, string[]>;

export interface FakeMoneybirdOptions {
  /** Digits, as Moneybird's are (the spec's `sales_invoices_url` pattern needs them). */
  administrationId?: string;
  apiToken?: string;
  /** Off: the mandate endpoints answer 403, as for an administration without Moneybird Payments. */
  paymentsEnabled?: boolean;
}

export interface FakeMoneybird extends Omit<FakeServer, "close"> {
  /** Connects an adapter to this fake. */
  config: MoneybirdConfig;
  /** Every way an exchange so far broke the OpenAPI document; tests expect none. */
  violations: string[];
  /** The next `count` requests get 429 `Retry later` with Moneybird's RateLimit headers. */
  rateLimitNext(count?: number, retryAfterSeconds?: number): void;
  setPaymentsEnabled(enabled: boolean): void;
  /** Back to an empty administration with the options' settings, no requests and no violations recorded. */
  reset(): void;
  /** Stored records, for assertions and fixtures, by id. */
  contact(id: string): Json | undefined;
  /** Fixtures for what the API cannot create: a charge already billed, a mandate the contact set up. */
  addAdditionalCharge(contactId: string, charge: { productId: string; price: string; billed: boolean }): Json;
  setMandate(contactId: string, mandate: Json | null): void;
  close(): Promise<void>;
}

const SPEC = new URL("../support/moneybird-contacts.openapi.json", import.meta.url);
/** The spec's full `contact_response` example: every property Moneybird sends, with Moneybird's blank values. */
const CONTACT_EXAMPLE = (() => {
  const spec = JSON.parse(readFileSync(SPEC, "utf8"));
  const get = spec.paths["/{administration_id}/contacts/customer_id/{customer_id}{format}"].get;
  return get.responses["200"].content["application/json"].examples.ReturnAContact.value as Json;
})();
/** The attributes the example fills in that a new contact has blank. */
const EXAMPLE_VALUES = [
  "company_name",
  "firstname",
  "lastname",
  "address1",
  "zipcode",
  "city",
  "customer_id",
  "email",
  "send_invoices_to_email",
  "send_estimates_to_email",
];
let validator: ReturnType<typeof loadOpenApiValidator> | undefined;
const USER_ID = "496081346724103269";
const FIRST_ID = 496081400000000000n;
const DELIVERY_METHODS = ["Email", "Simplerinvoicing", "Peppol", "Manual", "Post"];
const SEARCHED_FIELDS = [
  "company_name",
  "attention",
  "firstname",
  "lastname",
  "address1",
  "address2",
  "zipcode",
  "city",
  "country",
  "email",
  "phone",
  "customer_id",
  "tax_number",
  "chamber_of_commerce",
  "bank_account",
];
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
const isBlank = (value: unknown) => typeof value !== "string" || value.trim() === "";
const fold = (value: unknown) => String(value ?? "").toLocaleLowerCase("en");

const json = (status: number, body?: unknown): FakeResponse => ({ status, body });
const symbolic = (status: number, error: string, symbols: Json) => json(status, { error, symbolic: symbols });
const recordNotFound = () => symbolic(404, "record not found", { id: "not_found" });
const invalid = (errors: Errors) =>
  json(422, {
    error: errors,
    details: Object.fromEntries(
      Object.entries(errors).map(([key, messages]) => [key, messages.map((error) => ({ error }))]),
    ),
  });

export async function startFakeMoneybird(options: FakeMoneybirdOptions = {}): Promise<FakeMoneybird> {
  const administrationId = options.administrationId ?? "123";
  const apiToken = options.apiToken ?? "fake-moneybird-token";
  let paymentsEnabled = options.paymentsEnabled ?? true;
  let rateLimited = { count: 0, retryAfterSeconds: 60 };
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

  const now = () => new Date().toISOString();
  const touch = (record: Json) => {
    record.updated_at = now();
    record.version = Math.max(Math.floor(Date.now() / 1000), Number(record.version) + 1);
  };
  const event = (action: string) => ({
    administration_id: Number(administrationId),
    user_id: USER_ID,
    action,
    link_entity_id: null,
    link_entity_type: null,
    data: {},
    created_at: now(),
    updated_at: now(),
  });
  const people = (contact: Json) => contact.contact_people as Json[];
  const notes = (contact: Json) => contact.notes as Json[];
  const visible = (contact: Json | undefined, includeArchived: boolean) =>
    contact && (includeArchived || contact.archived !== true) ? contact : undefined;

  /** A contact created with nothing set: the spec's example with its own values blanked. */
  function newContact(): Json {
    const id = nextId();
    const at = now();
    return {
      ...structuredClone(CONTACT_EXAMPLE),
      id,
      administration_id: Number(administrationId),
      ...Object.fromEntries(EXAMPLE_VALUES.map((attribute) => [attribute, ""])),
      created_at: at,
      updated_at: at,
      version: Math.floor(Date.now() / 1000),
      sales_invoices_url: `https://moneybird.com/${administrationId}/sales_invoices/${createHash("sha256").update(id).digest("hex")}/all`,
      notes: [],
      custom_fields: [],
      contact_people: [],
      events: [],
    };
  }

  function newPerson(contactId: string, body: Json): Json {
    const at = now();
    return {
      id: nextId(),
      contact_id: contactId,
      administration_id: Number(administrationId),
      firstname: null,
      lastname: null,
      phone: null,
      email: null,
      department: null,
      created_at: at,
      updated_at: at,
      version: Math.floor(Date.now() / 1000),
      ...body,
    };
  }

  /** The `custom_fields_attributes` of a body, in either of the spec's forms (array or index-keyed object). */
  const customFieldValues = (body: Json) =>
    Object.values((body.custom_fields_attributes ?? {}) as Record<string, { id: unknown; value: string }>);

  /** Applies a contact body as Moneybird does; returns the 4xx answer when the result is invalid. */
  function applyContact(record: Json, body: Json): FakeResponse | null {
    const { custom_fields_attributes: _fields, contact_person: _person, ...attributes } = body;
    const unknownField = customFieldValues(body).find(
      (field) => !CUSTOM_FIELDS.some((known) => known.id === String(field.id)),
    );
    if (unknownField) {
      return symbolic(404, `Custom field with id ${unknownField.id} not found for administration`, {
        custom_fields_attributes: "not_found",
      });
    }
    const candidate = { ...record, ...attributes };
    const errors: Errors = {};
    const add = (attribute: string, message: string) => {
      errors[attribute] = [...(errors[attribute] ?? []), message];
    };
    if (isBlank(candidate.company_name) && (isBlank(candidate.firstname) || isBlank(candidate.lastname))) {
      for (const attribute of ["firstname", "lastname", "company_name"]) {
        if (isBlank(candidate[attribute])) add(attribute, "is required");
      }
    }
    for (const attribute of ["send_invoices_to_email", "send_estimates_to_email"]) {
      const value = candidate[attribute];
      if (
        !isBlank(value) &&
        !String(value)
          .split(",")
          .every((address) => EMAIL.test(address.trim()))
      )
        add(attribute, "is invalid");
    }
    if (
      !isBlank(candidate.delivery_method) &&
      !DELIVERY_METHODS.includes(String(candidate.delivery_method))
    ) {
      add("delivery_method", "is not included in the list");
    }
    if (!isBlank(candidate.customer_id)) {
      const taken = [...contacts.values()].some(
        (other) => other.id !== record.id && other.customer_id === candidate.customer_id,
      );
      if (taken) add("customer_id", "has already been taken");
    }
    const person = body.contact_person as Json | undefined;
    if (person && (isBlank(person.firstname) || isBlank(person.lastname)))
      add("contact_person", "is invalid");
    if (Object.keys(errors).length > 0) return invalid(errors);

    Object.assign(record, attributes);
    if (typeof attributes.send_invoices_to_attention === "string")
      record.attention = attributes.send_invoices_to_attention;
    if (typeof attributes.send_invoices_to_email === "string") {
      record.email = attributes.send_invoices_to_email.split(",")[0]?.trim() ?? "";
    }
    if (isBlank(record.customer_id)) {
      const highest = Math.max(0, ...[...contacts.values()].map((other) => Number(other.customer_id) || 0));
      record.customer_id = String(highest + 1);
    }
    const values = new Map(
      (record.custom_fields as Json[]).map((field) => [String(field.id), String(field.value)]),
    );
    for (const field of customFieldValues(body)) values.set(String(field.id), field.value);
    record.custom_fields = CUSTOM_FIELDS.filter((field) => values.has(field.id)).map((field) => ({
      ...field,
      value: values.get(field.id) ?? "",
    }));
    if (person) people(record).push(newPerson(String(record.id), person));
    return null;
  }

  function personErrors(person: Json): Errors | null {
    const errors: Errors = {};
    for (const attribute of ["firstname", "lastname"]) {
      if (isBlank(person[attribute])) errors[attribute] = ["can't be blank"];
    }
    if (!isBlank(person.email) && !EMAIL.test(String(person.email))) errors.email = ["is invalid"];
    return Object.keys(errors).length > 0 ? errors : null;
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
    const items = matches.slice((page - 1) * perPage, page * perPage);
    const link = (number: number) => {
      const params = new URLSearchParams(query);
      params.set("page", String(number));
      return `<${server.origin}${request.path}?${params}>`;
    };
    const links = [
      ...(page * perPage < matches.length ? [`${link(page + 1)}; rel="next"`] : []),
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
      tests.push((contact) => SEARCHED_FIELDS.some((field) => fold(contact[field]).includes(fold(search))));
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
      } else {
        return symbolic(400, `Unknown filter ${key}`, { filter: "invalid" });
      }
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
          [...contacts.values()].filter((contact) => wanted.has(String(contact.id))),
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
        const record = newContact();
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
        touch(changed);
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
          touch(record);
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
        touch(record);
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
        const errors = personErrors(body);
        if (errors) return invalid(errors);
        const person = newPerson(contactId, body);
        people(record).push(person);
        touch(record);
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
        const errors = personErrors(changed);
        if (errors) return invalid(errors);
        Object.assign(person, changed);
        touch(person);
        touch(record);
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
        const at = now();
        const note = {
          id: nextId(),
          administration_id: Number(administrationId),
          entity_id: contactId,
          entity_type: "Contact",
          user_id: USER_ID,
          assignee_id: body.assignee_id === undefined ? null : String(body.assignee_id),
          todo: body.todo === true || body.todo === "true" || body.assignee_id !== undefined,
          note: body.note,
          completed_at: null,
          completed_by_id: null,
          todo_type: null,
          data: {},
          created_at: at,
          updated_at: at,
        };
        notes(record).push(note);
        touch(record);
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
        if (body.period !== undefined && !/^\d{8}\.\.\d{8}$/.test(String(body.period))) {
          return symbolic(400, "period is invalid", { period: "invalid" });
        }
        const record = chargeRecord(
          contactId,
          String(body.product_id),
          String(body.price),
          body.amount,
          body.period,
        );
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
            touch(record);
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
    touch(record);
    return json(204);
  }

  // The spec gives these 403s and 404s an `integer` body; Moneybird's own answer is not documented, so none is sent.
  function withPayments(contactId: string, answer: () => FakeResponse): FakeResponse {
    if (!paymentsEnabled) return json(403);
    return contacts.has(contactId) ? answer() : json(404);
  }

  function chargeRecord(
    contactId: string,
    productId: string,
    price: string,
    amount: unknown,
    period: unknown,
  ): Json {
    const month = new Date().toISOString().slice(0, 7).replace("-", "");
    const value = Number(price);
    return {
      id: nextId(),
      administration_id: Number(administrationId),
      contact_id: contactId,
      subscription_id: null,
      product_id: productId,
      detail_id: null,
      amount: amount === undefined ? null : String(amount),
      price: Number.isInteger(value) ? value.toFixed(1) : String(value),
      period:
        period === undefined
          ? `${month}..${month}`
          : String(period).replace(/^(\d{6})\d{2}\.\.(\d{6})\d{2}$/, "$1..$2"),
    };
  }

  function handle(request: RecordedRequest): FakeResponse {
    if (rateLimited.count > 0) {
      rateLimited.count -= 1;
      const reset = Math.floor(Date.now() / 1000) + rateLimited.retryAfterSeconds;
      return {
        status: 429,
        body: "Retry later",
        headers: {
          "retry-after": String(rateLimited.retryAfterSeconds),
          "ratelimit-limit": "150",
          "ratelimit-remaining": "0",
          "ratelimit-reset": String(reset),
        },
      };
    }
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

  const server = await startFakeServer((request) => {
    const response = handle(request);
    violations.push(...spec.check(request, response));
    return response;
  });

  return {
    origin: server.origin,
    requests: server.requests,
    clearRequests: server.clearRequests,
    setLatency: server.setLatency,
    close: server.close,
    config: { apiToken, administrationId, baseUrl: server.origin },
    violations,
    rateLimitNext(count = 1, retryAfterSeconds = 60) {
      rateLimited = { count, retryAfterSeconds };
    },
    setPaymentsEnabled(enabled) {
      paymentsEnabled = enabled;
    },
    reset() {
      contacts.clear();
      charges.length = 0;
      mandates.clear();
      violations.length = 0;
      server.clearRequests();
      paymentsEnabled = options.paymentsEnabled ?? true;
      rateLimited = { count: 0, retryAfterSeconds: 60 };
    },
    contact: (id) => contacts.get(id),
    addAdditionalCharge(contactId, charge) {
      const record = chargeRecord(contactId, charge.productId, charge.price, "1 x", undefined);
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
