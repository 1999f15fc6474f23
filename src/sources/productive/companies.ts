import type {
  Company,
  CompanyFilter,
  CompanyOrder,
  CompanyStatus,
  ProductiveDateFilter,
} from "../../domain/index.ts";
import { NotFoundError } from "../../errors.ts";
import { chunk } from "../../http/chunk.ts";
import type { ProviderClient } from "../../http/provider-client.ts";
import type { Target } from "../../http/responses.ts";
import type { CompanySource } from "../../ports.ts";
import { companyAttributes, companyFromRecord } from "../../providers/productive/mapping.ts";
import { CompanyRecord } from "../../providers/productive/records.ts";
import { isIntegerId } from "../../providers/shared/ids.ts";
import {
  type Document,
  emptyPage,
  type FilterParameters,
  fetchFirst,
  fetchOne,
  fetchWindow,
  filterQuery,
  MAX_UPSTREAM_PAGE_SIZE,
  mapRecord,
  matchesNothing,
  writeRecord,
} from "./client.ts";

const STATUS_TO_UPSTREAM: Record<CompanyStatus, number> = { ACTIVE: 1, ARCHIVED: 2 };
const SORT_TO_UPSTREAM: Record<CompanyOrder["field"], string> = {
  NAME: "name",
  CREATED_AT: "created_at",
  LAST_ACTIVITY_AT: "last_activity_at",
};

const DATE_OPERATOR_TO_UPSTREAM: Record<keyof ProductiveDateFilter, string> = {
  eq: "eq",
  notEq: "not_eq",
  gt: "gt",
  gtEq: "gt_eq",
  lt: "lt",
  ltEq: "lt_eq",
};

/** `{ gtEq: t }` on `created_at` → `filter[created_at][gt_eq]=t`, one parameter per operator given. */
const dateParameters = (attribute: string) => (filter: ProductiveDateFilter) =>
  Object.fromEntries(
    Object.entries(filter)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([operator, value]) => [
        `filter[${attribute}][${DATE_OPERATOR_TO_UPSTREAM[operator as keyof ProductiveDateFilter]}]`,
        value,
      ]),
  );

const COMPANY_FILTER_PARAMETERS: FilterParameters<CompanyFilter> = {
  ids: (ids) => ({ "filter[id]": ids.join(",") }),
  companyIds: (ids) => ({ "filter[company_id]": ids.join(",") }),
  defaultSubsidiaryIds: (ids) => ({ "filter[default_subsidiary_id]": ids.join(",") }),
  subsidiaryIds: (ids) => ({ "filter[subsidiary_id]": ids.join(",") }),
  defaultTaxRateIds: (ids) => ({ "filter[default_tax_rate_id]": ids.join(",") }),
  projectIds: (ids) => ({ "filter[project_id]": ids.join(",") }),
  name: (name) => ({ "filter[name]": name }),
  companyCode: (code) => ({ "filter[company_code]": code }),
  billingName: (billingName) => ({ "filter[billing_name]": billingName }),
  vat: (vat) => ({ "filter[vat]": vat }),
  defaultCurrency: (currency) => ({ "filter[default_currency]": currency }),
  status: (status) => ({ "filter[status]": STATUS_TO_UPSTREAM[status] }),
  tags: (tags) => ({ "filter[tags]": tags.join(",") }),
  dueDays: (dueDays) => ({ "filter[due_days]": dueDays }),
  createdAfter: (after) => ({ "filter[created_at][gt]": after }),
  createdBefore: (before) => ({ "filter[created_at][lt]": before }),
  createdAt: dateParameters("created_at"),
  archivedAt: dateParameters("archived_at"),
  lastActivityAt: dateParameters("last_activity_at"),
};

/** A company record Productive sent, validated and mapped; what cannot be read is BAD_RESPONSE. */
export const toCompany = (raw: unknown) => mapRecord(CompanyRecord, raw, "company", companyFromRecord);

const companyOf = ({ data }: Document<unknown>) => toCompany(data);

export function createProductiveCompanies(client: ProviderClient): CompanySource {
  async function change(path: string, id: string, what: string, body?: unknown): Promise<Company> {
    const target: Target = { kind: "Company", id };
    if (!isIntegerId(id)) throw new NotFoundError(target.kind, id);
    return writeRecord(client, { method: "PATCH", path, target, body, what }, companyOf);
  }

  return {
    async getByIds(ids) {
      const wanted = [...new Set(ids.filter(isIntegerId))];
      const batches = await Promise.all(
        chunk(wanted, MAX_UPSTREAM_PAGE_SIZE).map((batch) =>
          fetchFirst(client, "companies", { "filter[id]": batch.join(",") }),
        ),
      );
      const found = new Map(
        batches.flatMap(({ data }) => data.map(toCompany)).map((company) => [company.id, company]),
      );
      // The docs do not say that `filter[id]` lists every company (archived ones among them): the
      // ids it left out are asked of the documented single-record endpoint, so the common case
      // still costs one request per 200 ids.
      const missing = wanted.filter((id) => !found.has(id));
      const singles = await Promise.all(missing.map((id) => fetchOne(client, "companies", id, {})));
      for (const document of singles) {
        if (document) {
          const company = companyOf(document);
          found.set(company.id, company);
        }
      }
      return ids.map((id) => found.get(id) ?? null);
    },

    async list(filter, order, page) {
      if (matchesNothing(filter)) return emptyPage();
      const query = {
        ...filterQuery(COMPANY_FILTER_PARAMETERS, filter, "companies"),
        sort: `${order.direction === "DESC" ? "-" : ""}${SORT_TO_UPSTREAM[order.field]}`,
      };
      const { data: window } = await fetchWindow(client, "companies", query, page);
      return { ...window, items: window.items.map(toCompany) };
    },

    async create(input) {
      const body = { data: { type: "companies", attributes: companyAttributes(input) } };
      const request = {
        method: "POST",
        path: "/companies",
        target: null,
        body,
        what: "company create",
      } as const;
      return writeRecord(client, request, companyOf);
    },

    update: (id, patch) =>
      change(`/companies/${id}`, id, "company update", {
        data: { type: "companies", attributes: companyAttributes(patch) },
      }),
    archive: (id) => change(`/companies/${id}/archive`, id, "company archive"),
    restore: (id) => change(`/companies/${id}/restore`, id, "company restore"),
  };
}
