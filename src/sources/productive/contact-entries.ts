import {
  type Company,
  type ContactEntry,
  type ContactEntryFilter,
  type ContactEntryOwner,
  type ContactEntryType,
  entryOwner,
  type RawRecord,
} from "../../domain/index.ts";
import { NotFoundError } from "../../errors.ts";
import { chunk } from "../../http/chunk.ts";
import type { ProviderClient } from "../../http/provider-client.ts";
import type { ContactEntrySource } from "../../ports.ts";
import {
  CONTACTABLE_TYPE_TO_UPSTREAM,
  companyFromRecord,
  contactEntryAttributes,
  contactEntryFromRecord,
} from "../../providers/productive/mapping.ts";
import { CompanyRecord, ContactEntryRecord, ownerRelationship } from "../../providers/productive/records.ts";
import { assertOwnerId } from "../../providers/productive/rules.ts";
import { isIntegerId } from "../../providers/shared/ids.ts";
import {
  type Document,
  deleteRecord,
  emptyPage,
  type FilterParameters,
  fetchAll,
  fetchOne,
  fetchWindow,
  filterQuery,
  MAX_UPSTREAM_PAGE_SIZE,
  mapRecord,
  matchesNothing,
  writeRecord,
} from "./client.ts";

/**
 * Every entry read asks for its company: without it the `company` relationship carries no id, and
 * with it the entry comes with its company's record, which the graph then needs no request for.
 */
const INCLUDE_COMPANY = { include: "company" };
/** `type` is no filter Productive documents: a list by type scans at most this many full pages. */
const MAX_TYPE_SCAN_PAGES = 10;

const CONTACT_ENTRY_FILTER_PARAMETERS: FilterParameters<Omit<ContactEntryFilter, "types">> = {
  companyIds: (ids) => ({ "filter[company_id]": ids.join(",") }),
  personIds: (ids) => ({ "filter[person_id]": ids.join(",") }),
  invoiceIds: (ids) => ({ "filter[invoice_id]": ids.join(",") }),
  subsidiaryIds: (ids) => ({ "filter[subsidiary_id]": ids.join(",") }),
  contactableIds: (ids) => ({ "filter[contactable_id]": ids.join(",") }),
  contactableTypes: (types) => ({
    "filter[contactable_type]": types.map((type) => CONTACTABLE_TYPE_TO_UPSTREAM[type]).join(","),
  }),
};

/**
 * The entries of a document, each with its company's record when Productive included it (validated
 * like any company record). `knownOwner`: the owner the request was limited to, for an entry whose
 * relationship came without an id.
 */
function entriesOf(
  { data, included }: Document<unknown[]>,
  knownOwner: ContactEntryOwner | null,
): ContactEntry[] {
  const companies = new Map<string, Company>(
    included.flatMap(includedCompany).map((company) => [company.id, company]),
  );
  return data.map((raw) =>
    mapRecord(ContactEntryRecord, raw, "contact entry", (record, entryRaw) => {
      const entry = contactEntryFromRecord(record, entryRaw, knownOwner);
      const company = entry.companyId === null ? undefined : companies.get(entry.companyId);
      return company ? { ...entry, company } : entry;
    }),
  );
}

/**
 * An included company is an extra: one that does not parse (or another type of record) is left out,
 * so the entries still arrive and the company loader reports the bad record on `company` alone.
 */
function includedCompany(raw: unknown): Company[] {
  const record = CompanyRecord.safeParse(raw);
  return record.success ? [companyFromRecord(record.data, raw as RawRecord)] : [];
}

const entryOf = ({ data, included }: Document<unknown>, knownOwner: ContactEntryOwner | null = null) =>
  entriesOf({ data: [data], included }, knownOwner)[0] as ContactEntry;

const OWNER_FILTERS = [
  ["COMPANY", "companyIds"],
  ["PERSON", "personIds"],
  ["INVOICE", "invoiceIds"],
  ["SUBSIDIARY", "subsidiaryIds"],
] as const;

/** The one owner a filter limits entries to (of the first owner filter naming exactly one id), if any. */
function onlyOwner(filter: ContactEntryFilter): ContactEntryOwner | null {
  for (const [type, field] of OWNER_FILTERS) {
    const ids = filter[field];
    if (ids?.length === 1 && ids[0] !== undefined) return { type, id: ids[0] };
  }
  return null;
}

const ofTypes = (types: readonly ContactEntryType[] | null | undefined) => (entry: ContactEntry) =>
  !types || types.includes(entry.type);

export function createProductiveContactEntries(client: ProviderClient): ContactEntrySource {
  function assertId(id: string): void {
    if (!isIntegerId(id)) throw new NotFoundError("ContactEntry", id);
  }

  return {
    async getByIds(ids) {
      const wanted = [...new Set(ids.filter(isIntegerId))];
      const documents = await Promise.all(
        // One GET each (Productive documents no id filter for entries), all at once: the rate budget
        // decides how many go out together, and queues the rest.
        wanted.map((id) => fetchOne(client, "contact_entries", id, INCLUDE_COMPANY)),
      );
      const found = new Map(wanted.map((id, index) => [id, documents[index] ?? null]));
      return ids.map((id) => {
        const document = found.get(id);
        return document ? entryOf(document) : null;
      });
    },

    async listByCompanyIds(companyIds, types) {
      const wanted = [...new Set(companyIds.filter(isIntegerId))];
      const batches = await Promise.all(
        chunk(wanted, MAX_UPSTREAM_PAGE_SIZE).map(async (batch) => {
          const query = { "filter[company_id]": batch.join(","), ...INCLUDE_COMPANY };
          return entriesOf(
            await fetchAll(client, "contact_entries", query),
            onlyOwner({ companyIds: batch }),
          );
        }),
      );
      const entries = batches.flat().filter(ofTypes(types));
      return companyIds.map((id) => entries.filter((entry) => entry.companyId === id));
    },

    async list(filter, page) {
      if (matchesNothing(filter)) return emptyPage();
      const { types, ...upstreamFilter } = filter;
      const query = {
        ...filterQuery(CONTACT_ENTRY_FILTER_PARAMETERS, upstreamFilter, "contact entries"),
        ...INCLUDE_COMPANY,
      };
      const knownOwner = onlyOwner(filter);
      if (!types) {
        const { data: window, included } = await fetchWindow(client, "contact_entries", query, page);
        return { ...window, items: entriesOf({ data: window.items, included }, knownOwner) };
      }
      const all = await fetchAll(client, "contact_entries", query, {
        maxPages: MAX_TYPE_SCAN_PAGES,
        tooMany:
          `Productive cannot filter contact entries by type, and more than ${MAX_TYPE_SCAN_PAGES * MAX_UPSTREAM_PAGE_SIZE} ` +
          "entries match the other filters: narrow the list with companyIds or contactableTypes",
      });
      const matching = entriesOf(all, knownOwner).filter(ofTypes(types));
      return {
        items: matching.slice(page.offset, page.offset + page.limit),
        hasNextPage: page.offset + page.limit < matching.length,
        totalCount: matching.length,
      };
    },

    async create(input) {
      // The docs are silent on a relationship to a missing owner: for a company, a 404
      // (record_not_found, as its finders answer) is that company's NotFoundError; a 422 on the
      // relationship lands on ["companyId"] (["contactableId"] for the other owners).
      const owner = entryOwner(input);
      const company = owner.type === "COMPANY" ? ({ kind: "Company", id: owner.id } as const) : null;
      assertOwnerId(owner);
      const body = {
        data: {
          type: "contact_entries",
          attributes: contactEntryAttributes(input),
          relationships: ownerRelationship(owner),
        },
      };
      return writeRecord(
        client,
        {
          method: "POST",
          path: "/contact_entries",
          target: company,
          body,
          query: INCLUDE_COMPANY,
          what: "contact entry create",
        },
        (answer) => entryOf(answer, owner),
      );
    },

    async update(id, patch) {
      assertId(id);
      const body = { data: { type: "contact_entries", attributes: contactEntryAttributes(patch) } };
      return writeRecord(
        client,
        {
          method: "PATCH",
          path: `/contact_entries/${id}`,
          target: { kind: "ContactEntry", id },
          body,
          query: INCLUDE_COMPANY,
          what: "contact entry update",
        },
        (answer) => entryOf(answer),
      );
    },

    async delete(id) {
      assertId(id);
      await deleteRecord(client, {
        path: `/contact_entries/${id}`,
        target: { kind: "ContactEntry", id },
        what: "contact entry delete",
      });
    },
  };
}
