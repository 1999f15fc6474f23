import { z } from "zod";
import type { FreeAgentContact, FreeAgentContactFilter, Page, RawRecord } from "../../domain/index.ts";
import { NotFoundError } from "../../errors.ts";
import { headerValue, integerHeader, linkRelations } from "../../http/headers.ts";
import { readPageWindow, type UpstreamPage } from "../../http/page-window.ts";
import type { ProviderClient } from "../../http/provider-client.ts";
import { parseUpstream, type UpstreamResponse } from "../../http/responses.ts";
import type { QueryValue } from "../../http/upstream-client.ts";
import type { FreeAgentContactSource } from "../../ports.ts";
import { contactBody, contactFromRecord, contactIdFromUrl } from "../../providers/freeagent/mapping.ts";
import { ContactRecord } from "../../providers/freeagent/records.ts";
import { isIntegerId } from "../../providers/shared/ids.ts";
import { PROVIDER } from "./client.ts";

const CONTACTS_PATH = "/v2/contacts";
const MAX_PER_PAGE = 100;

// Envelopes only: each contact is validated once, by `ContactRecord`, where it is mapped.
const ContactEnvelope = z.object({ contact: z.looseObject({}) });
const ContactsEnvelope = z.object({ contacts: z.array(z.unknown()) });
const ContactUrl = ContactRecord.shape.url;

const contactPath = (id: string) => `${CONTACTS_PATH}/${id}`;
const contactTarget = (id: string) => ({ kind: "FreeAgentContact", id }) as const;

function toContact(raw: unknown): FreeAgentContact {
  // `ContactRecord` is an object: what passed it is one.
  return contactFromRecord(parseUpstream(PROVIDER, ContactRecord, raw, "contact"), raw as RawRecord);
}

function listQuery(filter: FreeAgentContactFilter): Record<string, QueryValue> {
  const { sort } = filter;
  return {
    // Not sent by default: FreeAgent then shows active contacts, as the port documents.
    view: filter.view?.toLowerCase(),
    sort: sort ? `${sort.direction === "DESC" ? "-" : ""}${sort.field.toLowerCase()}` : undefined,
    updated_since: filter.updatedAfter,
  };
}

export function createFreeAgentContactSource(client: ProviderClient): FreeAgentContactSource {
  async function fetchPage(
    query: Record<string, QueryValue>,
    page: number,
    perPage: number,
  ): Promise<UpstreamPage<unknown>> {
    const response = await client.read({
      method: "GET",
      path: CONTACTS_PATH,
      query: { ...query, page, per_page: perPage },
      what: "contact list read",
    });
    const { contacts } = parseUpstream(PROVIDER, ContactsEnvelope, response.body, "contact list");
    const totalCount = integerHeader(response.headers, "x-total-count");
    const hasNextPage =
      totalCount === null ? linkRelations(response.headers).has("next") : page * perPage < totalCount;
    return { records: contacts, totalCount, hasNextPage };
  }

  async function fetchContact(id: string): Promise<FreeAgentContact | null> {
    if (!isIntegerId(id)) return null;
    const response = await client.find({ method: "GET", path: contactPath(id), what: "contact read" });
    if (!response) return null;
    return toContact(parseUpstream(PROVIDER, ContactEnvelope, response.body, "contact").contact);
  }

  async function fetchExisting(id: string): Promise<FreeAgentContact> {
    const contact = await fetchContact(id);
    if (!contact) throw new NotFoundError("FreeAgentContact", id);
    return contact;
  }

  /**
   * Writes answer with the record, or (an update as documented, a create with only a `Location`)
   * only a status: then it is read. The write has landed by then, whatever that read meets.
   */
  function writtenContact(response: UpstreamResponse, id: string | null): Promise<FreeAgentContact> {
    const envelope = ContactEnvelope.safeParse(response.body);
    if (envelope.success) return Promise.resolve(toContact(envelope.data.contact));
    if (id !== null) return fetchExisting(id);
    const location = parseUpstream(
      PROVIDER,
      ContactUrl,
      headerValue(response.headers, "location"),
      "Location",
    );
    return fetchExisting(contactIdFromUrl(location));
  }

  return {
    async getByIds(ids) {
      const unique = [...new Set(ids)];
      // FreeAgent has no batch read: one GET each, all at once, as many together as the rate budget allows.
      const contacts = await Promise.all(unique.map((id) => fetchContact(id)));
      const byId = new Map(unique.map((id, index) => [id, contacts[index] ?? null]));
      return ids.map((id) => byId.get(id) ?? null);
    },

    async list(filter, request): Promise<Page<FreeAgentContact>> {
      const query = listQuery(filter);
      const page = await readPageWindow(request, MAX_PER_PAGE, (number, size) =>
        fetchPage(query, number, size),
      );
      return { ...page, items: page.items.map(toContact) };
    },

    async create(input) {
      // Sent once: a create that timed out or failed upstream may still have happened.
      const request = { method: "POST", path: CONTACTS_PATH, body: { contact: contactBody(input) } } as const;
      return client.write({ ...request, target: null, what: "contact create" }, (response) =>
        writtenContact(response, null),
      );
    },

    async update(id, patch) {
      if (!isIntegerId(id)) throw new NotFoundError("FreeAgentContact", id);
      const changes = contactBody(patch);
      if (Object.keys(changes).length === 0) return fetchExisting(id);
      const request = { method: "PUT", path: contactPath(id), body: { contact: changes } } as const;
      return client.write(
        { ...request, target: contactTarget(id), what: `update of contact ${id}` },
        (response) => writtenContact(response, id),
      );
    },

    async delete(id) {
      if (!isIntegerId(id)) throw new NotFoundError("FreeAgentContact", id);
      const request = { method: "DELETE", path: contactPath(id), what: `delete of contact ${id}` } as const;
      await client.write({ ...request, target: contactTarget(id) }, () => undefined);
    },
  };
}

/** The cheapest authorised call: one contact of the first page. */
export async function pingFreeAgent(client: ProviderClient): Promise<void> {
  await client.read({
    method: "GET",
    path: CONTACTS_PATH,
    query: { per_page: 1 },
    what: "health check read",
  });
}
