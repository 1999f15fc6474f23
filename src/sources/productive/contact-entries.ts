import type { ContactEntry, ContactEntryFilter, ContactEntryType, RawRecord } from "../../domain/index.ts";
import { NotFoundError } from "../../errors.ts";
import type { ContactEntrySource } from "../ports.ts";
import { chunk } from "../shared/chunk.ts";
import {
  emptyPage,
  type FilterParameters,
  filterQuery,
  isProductiveId,
  MAX_UPSTREAM_PAGE_SIZE,
  mapRecord,
  matchesNothing,
  type ProductiveClient,
} from "./client.ts";
import {
  CONTACTABLE_TYPE_TO_UPSTREAM,
  ContactEntryRecord,
  contactEntryAttributes,
  contactEntryFromRecord,
  relatedCompanyId,
} from "./mapping.ts";

/** Without the included company, an entry's `company` relationship carries no id. */
const INCLUDE_COMPANY = { include: "company" };
/** `type` is no filter Productive documents: a list by type scans at most this many full pages. */
const MAX_TYPE_SCAN_PAGES = 10;

const CONTACT_ENTRY_FILTER_PARAMETERS: FilterParameters<Omit<ContactEntryFilter, "types">> = {
  companyIds: (ids) => ({ "filter[company_id]": ids.join(",") }),
  contactableTypes: (types) => ({
    "filter[contactable_type]": types.map((type) => CONTACTABLE_TYPE_TO_UPSTREAM[type]).join(","),
  }),
};

/** `companyId`: the company the request was limited to, for a record whose relationship came without an id. */
const toContactEntry = (raw: RawRecord, companyId: string | null) =>
  mapRecord(ContactEntryRecord, raw, "contact entry", (record) =>
    contactEntryFromRecord(record, raw, relatedCompanyId(record) ?? companyId),
  );

const onlyCompany = (companyIds: readonly string[] | undefined) =>
  companyIds?.length === 1 ? (companyIds[0] ?? null) : null;

const ofTypes = (types: readonly ContactEntryType[] | null | undefined) => (entry: ContactEntry) =>
  !types || types.includes(entry.type);

export function createProductiveContactEntries(client: ProductiveClient): ContactEntrySource {
  function assertId(id: string): void {
    if (!isProductiveId(id)) throw new NotFoundError("ContactEntry", id);
  }

  return {
    async getByIds(ids) {
      const wanted = [...new Set(ids.filter(isProductiveId))];
      const records = await Promise.all(
        wanted.map((id) => client.fetchOne("contact_entries", id, INCLUDE_COMPANY)),
      );
      const found = new Map(wanted.map((id, index) => [id, records[index] ?? null]));
      return ids.map((id) => {
        const raw = found.get(id);
        return raw ? toContactEntry(raw, null) : null;
      });
    },

    async listByCompanyIds(companyIds, types) {
      const wanted = [...new Set(companyIds.filter(isProductiveId))];
      const batches = await Promise.all(
        chunk(wanted, MAX_UPSTREAM_PAGE_SIZE).map(async (batch) => {
          const query = { "filter[company_id]": batch.join(","), ...INCLUDE_COMPANY };
          const records = await client.fetchAll("contact_entries", query);
          return records.map((raw) => toContactEntry(raw, onlyCompany(batch)));
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
      const companyId = onlyCompany(filter.companyIds);
      if (!types) {
        const window = await client.fetchWindow("contact_entries", query, page);
        return { ...window, items: window.items.map((raw) => toContactEntry(raw, companyId)) };
      }
      const records = await client.fetchAll("contact_entries", query, {
        maxPages: MAX_TYPE_SCAN_PAGES,
        tooMany:
          `Productive cannot filter contact entries by type, and more than ${MAX_TYPE_SCAN_PAGES * MAX_UPSTREAM_PAGE_SIZE} ` +
          "entries match the other filters: narrow the list with companyIds or contactableTypes",
      });
      const matching = records.map((raw) => toContactEntry(raw, companyId)).filter(ofTypes(types));
      return {
        items: matching.slice(page.offset, page.offset + page.limit),
        hasNextPage: page.offset + page.limit < matching.length,
        totalCount: matching.length,
      };
    },

    async create(input) {
      // The docs are silent on a relationship to a missing company: a 404 (record_not_found, as its
      // finders answer) is that company's NotFoundError, a 422 on the relationship lands on ["companyId"].
      const company = { kind: "Company", id: input.companyId } as const;
      if (!isProductiveId(company.id)) throw new NotFoundError(company.kind, company.id);
      const body = {
        data: {
          type: "contact_entries",
          attributes: contactEntryAttributes(input),
          relationships: { company: { data: { type: "companies", id: input.companyId } } },
        },
      };
      const raw = await client.write("POST", "/contact_entries", company, body, INCLUDE_COMPANY);
      return toContactEntry(raw, input.companyId);
    },

    async update(id, patch) {
      assertId(id);
      const body = { data: { type: "contact_entries", attributes: contactEntryAttributes(patch) } };
      const raw = await client.write(
        "PATCH",
        `/contact_entries/${id}`,
        { kind: "ContactEntry", id },
        body,
        INCLUDE_COMPANY,
      );
      return toContactEntry(raw, null);
    },

    async delete(id) {
      assertId(id);
      await client.delete(`/contact_entries/${id}`, { kind: "ContactEntry", id });
    },
  };
}
