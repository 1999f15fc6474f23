import type { Scenario } from "./operations.ts";

/**
 * Every filter the schema offers on the store (schema.graphql: CompanyFilter, CompanyOrder,
 * ContactEntryFilter, ContactFilter, MoneybirdContactVersionFilter), each as a page of 20 (the
 * versions list is not paged: its answer grows with the data).
 */
export interface FilterScenario extends Scenario {
  unpaged?: boolean;
}

const companies = (key: string, args: string): FilterScenario => ({
  key,
  title: `companies(${args})`,
  query: `{ companies(first: 20, ${args}) { totalCount edges { node { id name } } } }`,
});
const entries = (key: string, filter: string): FilterScenario => ({
  key,
  title: `contactEntries(filter: { ${filter} })`,
  query: `{ contactEntries(first: 20, filter: { ${filter} }) { edges { node { id type } } } }`,
});
const contacts = (key: string, filter: string): FilterScenario => ({
  key,
  title: `contacts(filter: { ${filter} })`,
  query: `{ contacts(first: 20, filter: { ${filter} }) { edges { node { id displayName } } } }`,
});
const versions = (key: string, filter: string): FilterScenario => ({
  key,
  title: `moneybirdContactVersions(${filter ? `filter: { ${filter} }` : ""})`,
  query: `{ moneybirdContactVersions${filter ? `(filter: { ${filter} })` : ""} { id version } }`,
  unpaged: true,
});

const FREEAGENT_VIEWS = [
  "ACTIVE",
  "ACTIVE_PROJECTS",
  "ALL",
  "CLIENTS",
  "COMPLETED_PROJECTS",
  "HIDDEN",
  "OPEN_CLIENTS",
  "OPEN_SUPPLIERS",
  "SUPPLIERS",
];

export const FILTERS: FilterScenario[] = [
  companies("company-name", 'filter: { name: "Labs" }'),
  companies("company-billing-name", 'filter: { billingName: "GmbH" }'),
  companies("company-currency", 'filter: { defaultCurrency: "GBP" }'),
  companies("company-due-days", "filter: { dueDays: 45 }"),
  companies("company-status", "filter: { status: ARCHIVED }"),
  companies("company-tags", 'filter: { tags: ["partner", "retainer"] }'),
  companies(
    "company-created",
    'filter: { createdAfter: "2024-01-01T00:00:00Z", createdBefore: "2024-07-01T00:00:00Z" }',
  ),
  companies("company-order", "orderBy: { field: CREATED_AT, direction: DESC }"),
  entries("entry-types", "types: [EMAIL]"),
  entries("entry-contactable", "contactableTypes: [COMPANY]"),
  contacts("moneybird-query", 'providers: [MONEYBIRD], query: "Bakkerij"'),
  contacts("moneybird-first-name", 'providers: [MONEYBIRD], firstName: "Jan"'),
  contacts("moneybird-last-name", 'providers: [MONEYBIRD], lastName: "Jansen"'),
  contacts("moneybird-created", 'providers: [MONEYBIRD], createdAfter: "2025-01-01T00:00:00Z"'),
  contacts("moneybird-updated", 'providers: [MONEYBIRD], updatedAfter: "2025-06-01T00:00:00Z"'),
  contacts("moneybird-archived", "providers: [MONEYBIRD], includeArchived: true"),
  ...FREEAGENT_VIEWS.map((view) =>
    contacts(`freeagent-${view.toLowerCase()}`, `providers: [FREEAGENT], freeAgentView: ${view}`),
  ),
  contacts("freeagent-sort", "providers: [FREEAGENT], freeAgentSort: { field: UPDATED_AT, direction: DESC }"),
  contacts("freeagent-updated", 'providers: [FREEAGENT], updatedAfter: "2025-01-01T00:00:00Z"'),
  versions("versions", ""),
  versions("versions-first-name", 'firstName: "Jan"'),
];
