import { z } from "zod";
import type {
  AdditionalCharge,
  ContactPerson,
  MoneybirdContact,
  MoneybirdContactFilter,
  PaymentsMandate,
  RawRecord,
} from "../../domain/index.ts";
import { BadUserInputError, NotFoundError } from "../../errors.ts";
import { chunk } from "../../http/chunk.ts";
import { linkRelations } from "../../http/headers.ts";
import { readPageWindow, type UpstreamPage } from "../../http/page-window.ts";
import type { ProviderClient, ProviderRequest } from "../../http/provider-client.ts";
import { parseUpstream, readAfterWrite, type Target } from "../../http/responses.ts";
import type { MoneybirdContactSource } from "../../ports.ts";
import {
  additionalChargeBody,
  additionalChargeFromRecord,
  contactBody,
  contactFromRecord,
  contactPersonBody,
  contactPersonFromRecord,
  mandateRequestBody,
  noteBody,
  noteFromRecord,
  paymentsMandateFromRecord,
} from "../../providers/moneybird/mapping.ts";
import {
  AdditionalChargeRecord,
  ContactPersonRecord,
  ContactRecord,
  NoteRecord,
  PaymentsMandateRecord,
} from "../../providers/moneybird/records.ts";
import { assertListParameters } from "../../providers/moneybird/rules.ts";
import { isIntegerId } from "../../providers/shared/ids.ts";
import { upstreamId } from "../../providers/shared/records.ts";
import { quoteInput } from "../../security/redaction.ts";
import { contactsPath, MAX_PER_CALL, PROVIDER, unknownAdministration } from "./client.ts";

// The list only: each record is validated once, by its own schema, where it is mapped.
const RecordList = z.array(z.unknown());
const MandateUrl = z.object({ url: z.string().min(1) });
/** The spec types both as integer or string. */
const VersionList = z.array(
  z.object({
    id: upstreamId,
    version: z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(Number),
  }),
);
/** What a write answered with no record (204) leaves to read. */
const noResult = () => undefined;

/**
 * The Moneybird contacts port over Moneybird's API. Contacts by id come from the synchronization
 * endpoint (100 a call, as Moneybird asks); contact people and notes are embedded in their contact.
 */
export function createMoneybirdContactSource(client: ProviderClient): MoneybirdContactSource {
  const contact = (id: string): Target => ({ kind: "MoneybirdContact", id });
  const child = (kind: "ContactPerson" | "ContactNote", contactId: string, id: string): Target => ({
    kind,
    id: `${contactId}/${id}`,
  });

  /** A write answered with exactly `expected` (Moneybird's statuses are exact); `read` makes the result of its body. */
  const write = <T>(
    request: ProviderRequest,
    expected: number,
    target: Target | null,
    read: (body: unknown) => T,
  ) => client.write({ ...request, target, expected: [expected] }, (response) => read(response.body));

  /** The path segments of a record; an id Moneybird cannot have is a `NotFoundError` without a call. */
  function at(target: Target, ...path: string[]): string[] {
    if (!path.every(isIntegerId)) throw new NotFoundError(target.kind, target.id);
    return path;
  }

  async function fetchPage(
    request: ProviderRequest,
    page: number,
    perPage: number,
  ): Promise<UpstreamPage<MoneybirdContact>> {
    const response = await client.find({ ...request, query: { ...request.query, page, per_page: perPage } });
    if (!response) throw unknownAdministration();
    return {
      records: contactsFrom(response.body, "contact list"),
      hasNextPage: linkRelations(response.headers).has("next"),
      totalCount: null,
    };
  }

  /** The documented single read, archived contacts included; null when Moneybird has no such contact. */
  async function readOne(id: string, what = "contact read by id"): Promise<MoneybirdContact | null> {
    const response = await client.find({
      method: "GET",
      path: contactsPath(id),
      query: { include_archived: true },
      what,
    });
    return response ? contactFrom(response.body) : null;
  }

  return {
    async getByIds(ids) {
      const wanted = [...new Set(ids.filter(isIntegerId))];
      const answers = await Promise.all(
        chunk(wanted, MAX_PER_CALL).map(async (batch) => {
          const response = await client.find({
            method: "POST",
            path: contactsPath("synchronization"),
            body: { ids: batch },
            // Moneybird's read of contacts by id: safe to retry.
            idempotent: true,
            what: "contacts read by id",
          });
          return response ? contactsFrom(response.body, "synchronization answer") : [];
        }),
      );
      const byId = new Map(answers.flat().map((found) => [found.id, found]));
      // The docs do not say that synchronization answers archived contacts: the ids it left out
      // are asked of the documented single read, which does when told to.
      const missing = wanted.filter((id) => !byId.has(id));
      const fallbacks = await Promise.all(missing.map((id) => readOne(id)));
      for (const found of fallbacks) if (found) byId.set(found.id, found);
      return ids.map((id) => byId.get(id) ?? null);
    },

    async getByCustomerId(customerId) {
      const response = await client.find({
        method: "GET",
        path: contactsPath("customer_id", customerId),
        what: "contact read by customer id",
      });
      return response ? contactFrom(response.body) : null;
    },

    async listVersions(filter) {
      const terms = filterTerms(filter);
      const response = await client.find({
        method: "GET",
        path: contactsPath("synchronization"),
        query: {
          filter: terms.length > 0 ? terms.join(",") : undefined,
          include_archived: filter.includeArchived || undefined,
        },
        what: "contact versions read",
      });
      if (!response) throw unknownAdministration();
      return parseUpstream(PROVIDER, VersionList, response.body, "synchronization list");
    },

    async list(filter, page) {
      if (page.limit > MAX_PER_CALL) {
        throw new BadUserInputError(`Moneybird lists at most ${MAX_PER_CALL} contacts a page`);
      }
      const request = listRequest(filter);
      return readPageWindow(page, MAX_PER_CALL, (number, size) => fetchPage(request, number, size));
    },

    async create(input) {
      const request = {
        method: "POST",
        path: contactsPath(),
        body: { contact: contactBody(input) },
        what: "contact create",
      } as const;
      return write(request, 201, null, (body) => contactFrom(body));
    },

    async update(id, patch) {
      const target = contact(id);
      const body = { contact: contactBody(patch) };
      const request = {
        method: "PATCH",
        path: contactsPath(...at(target, id)),
        body,
        what: "contact update",
      } as const;
      return write(request, 200, target, (answer) => contactFrom(answer));
    },

    // Moneybird answers 204 whether it deleted the contact or archived it (a contact with
    // documents or charges cannot be deleted); one read-back tells which, and is the archived contact.
    async delete(id) {
      const target = contact(id);
      const request = {
        method: "DELETE",
        path: contactsPath(...at(target, id)),
        what: "contact delete",
      } as const;
      await write(request, 204, target, noResult);
      return readAfterWrite(
        PROVIDER,
        `The delete of Moneybird contact ${id} (deleted or archived)`,
        async () => {
          const archived = await readOne(id, "contact read after its delete");
          return archived?.archived
            ? { archived: true, contact: archived }
            : { archived: false, contact: null };
        },
      );
    },

    async archive(id) {
      const target = contact(id);
      await write(
        { method: "PATCH", path: contactsPath(...at(target, id), "archive"), what: "contact archive" },
        204,
        target,
        noResult,
      );
    },

    async createContactPerson(contactId, input) {
      const target = contact(contactId);
      const request = {
        method: "POST",
        path: contactsPath(...at(target, contactId), "contact_people"),
        body: { contact_person: contactPersonBody(input) },
        what: "contact person create",
      } as const;
      return write(request, 201, target, (body) => personFrom(body, contactId));
    },

    async updateContactPerson(contactId, personId, patch) {
      const target = child("ContactPerson", contactId, personId);
      const request = {
        method: "PATCH",
        path: contactsPath(...at(target, contactId), "contact_people", ...at(target, personId)),
        body: { contact_person: contactPersonBody(patch) },
        what: "contact person update",
      } as const;
      return write(request, 200, target, (body) => personFrom(body, contactId));
    },

    async deleteContactPerson(contactId, personId) {
      const target = child("ContactPerson", contactId, personId);
      const path = contactsPath(...at(target, contactId), "contact_people", ...at(target, personId));
      await write({ method: "DELETE", path, what: "contact person delete" }, 204, target, noResult);
    },

    async addNote(contactId, input) {
      const target = contact(contactId);
      const request = {
        method: "POST",
        path: contactsPath(...at(target, contactId), "notes"),
        body: { note: noteBody(input) },
        what: "note create",
      } as const;
      return write(request, 201, target, (body) =>
        noteFromRecord(parseUpstream(PROVIDER, NoteRecord, body, "note"), contactId, body as RawRecord),
      );
    },

    async deleteNote(contactId, noteId) {
      const target = child("ContactNote", contactId, noteId);
      const path = contactsPath(...at(target, contactId), "notes", ...at(target, noteId));
      await write({ method: "DELETE", path, what: "note delete" }, 204, target, noResult);
    },

    async listAdditionalCharges(contactId, includeBilled) {
      const target = contact(contactId);
      const response = await client.find({
        method: "GET",
        path: contactsPath(...at(target, contactId), "additional_charges"),
        query: { include_billed: includeBilled || undefined },
        what: "additional charges read",
      });
      if (!response) throw new NotFoundError(target.kind, target.id);
      const raws = parseUpstream(PROVIDER, RecordList, response.body, "additional charges");
      return raws.map((raw) => additionalChargeFrom(raw, contactId));
    },

    async createAdditionalCharge(contactId, input) {
      const target = contact(contactId);
      const request = {
        method: "POST",
        path: contactsPath(...at(target, contactId), "additional_charges"),
        body: additionalChargeBody(input),
        what: "additional charge create",
      } as const;
      return write(request, 201, target, (body) => additionalChargeFrom(body, contactId));
    },

    async getPaymentsMandate(contactId) {
      const path = contactsPath(...at(contact(contactId), contactId), "moneybird_payments_mandate");
      const response = await client.find({ method: "GET", path, what: "payments mandate read" });
      return response ? mandateFrom(response.body) : null;
    },

    async requestPaymentsMandate(contactId, input) {
      const target = contact(contactId);
      const request = {
        method: "POST",
        path: contactsPath(...at(target, contactId), "moneybird_payments_mandate"),
        body: mandateRequestBody(input),
        what: "payments mandate request",
      } as const;
      await write(request, 204, target, noResult);
    },

    async createPaymentsMandateUrl(contactId, identityId, workflowId) {
      const target = contact(contactId);
      const request = {
        method: "POST",
        path: contactsPath(...at(target, contactId), "moneybird_payments_mandate", "url"),
        body: mandateRequestBody({ identityId, workflowId }),
        what: "payments mandate URL create",
      } as const;
      return write(
        request,
        201,
        target,
        (body) => parseUpstream(PROVIDER, MandateUrl, body, "mandate URL").url,
      );
    },

    async deletePaymentsMandate(contactId) {
      const target = contact(contactId);
      const path = contactsPath(...at(target, contactId), "moneybird_payments_mandate");
      await write({ method: "DELETE", path, what: "payments mandate delete" }, 204, target, noResult);
    },
  };
}

/** The cheapest authorised read: one contact of the first page. */
export async function pingMoneybird(client: ProviderClient): Promise<void> {
  const response = await client.find({
    method: "GET",
    path: contactsPath(),
    query: { per_page: 1 },
    what: "health check read",
  });
  if (!response) throw unknownAdministration();
}

const FILTER_KEYS = [
  ["firstName", "first_name"],
  ["lastName", "last_name"],
  ["createdAfter", "created_after"],
  ["updatedAfter", "updated_after"],
  ["contactType", "contact_type"],
  ["deliveryMethod", "delivery_method"],
  ["trustedType", "trusted_type"],
  ["invoiceWorkflowId", "invoice_workflow_id"],
  ["estimateWorkflowId", "estimate_workflow_id"],
] as const;
const TIME_FILTERS = new Set(["createdAfter", "updatedAfter"]);
/** GraphQL enum values; the filter spells them in lower case (`contact_type:private_individual`). */
const ENUM_FILTERS = new Set(["contactType", "deliveryMethod", "trustedType"]);
const ID_FILTERS = new Set(["invoiceWorkflowId", "estimateWorkflowId"]);

/**
 * The `filter=key:value,…` terms of the filter endpoint (and of the synchronization list, which
 * takes the same). Times are sent in UTC, which is what Moneybird compares them in.
 */
function filterTerms(filter: Omit<MoneybirdContactFilter, "query">): string[] {
  return FILTER_KEYS.flatMap(([field, key]) => {
    const value = filter[field];
    if (value === undefined || value === null) return [];
    // Terms are comma-separated and a key ends at its first colon, so only a comma is ambiguous.
    if (value.includes(","))
      throw new BadUserInputError(`Moneybird cannot filter on a ${field} containing a comma`);
    if (ENUM_FILTERS.has(field)) return [`${key}:${value.toLowerCase()}`];
    if (ID_FILTERS.has(field) && !isIntegerId(value))
      throw new BadUserInputError(`${field} is not a Moneybird id: ${quoteInput(value)}`);
    if (!TIME_FILTERS.has(field)) return [`${key}:${value}`];
    const instant = Date.parse(value);
    if (Number.isNaN(instant))
      throw new BadUserInputError(`${field} is not an ISO 8601 timestamp: ${quoteInput(value)}`);
    return [`${key}:${new Date(instant).toISOString()}`];
  });
}

/**
 * `query` alone is Moneybird's search (`/contacts?query=`); any of the filter fields goes to
 * `/contacts/filter?filter=key:value,…`, which takes `query` too (see the spec). `todo`,
 * `contact_field` and `contact_value` are the plain list's alone, so they cannot join a filter.
 */
function listRequest(filter: MoneybirdContactFilter): ProviderRequest {
  const terms = filterTerms(filter);
  assertListParameters(filter, terms.length > 0);
  const query = { query: filter.query || undefined, include_archived: filter.includeArchived || undefined };
  const what = "contact list read";
  const listParameters = {
    todo: filter.todo,
    contact_field: filter.contactField,
    contact_value: filter.contactValue,
  };
  return terms.length === 0
    ? { method: "GET", path: contactsPath(), query: { ...query, ...listParameters }, what }
    : { method: "GET", path: contactsPath("filter"), query: { filter: terms.join(","), ...query }, what };
}

function contactFrom(body: unknown, what = "contact"): MoneybirdContact {
  return contactFromRecord(parseUpstream(PROVIDER, ContactRecord, body, what), body as RawRecord);
}

function contactsFrom(body: unknown, what: string): MoneybirdContact[] {
  return parseUpstream(PROVIDER, RecordList, body, what).map((raw) => contactFrom(raw, what));
}

function personFrom(body: unknown, contactId: string): ContactPerson {
  return contactPersonFromRecord(
    parseUpstream(PROVIDER, ContactPersonRecord, body, "contact person"),
    contactId,
    body as RawRecord,
  );
}

function additionalChargeFrom(body: unknown, contactId: string): AdditionalCharge {
  const record = parseUpstream(PROVIDER, AdditionalChargeRecord, body, "additional charge");
  return additionalChargeFromRecord(record, contactId, body as RawRecord);
}

function mandateFrom(body: unknown): PaymentsMandate {
  return paymentsMandateFromRecord(
    parseUpstream(PROVIDER, PaymentsMandateRecord, body, "payments mandate"),
    body as RawRecord,
  );
}
