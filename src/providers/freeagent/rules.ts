import type { FreeAgentView } from "../../domain/index.ts";
import { foldCase, isBlank } from "../shared/text.ts";

/**
 * How FreeAgent treats contacts beyond the shape of its records (mapping.ts): what a create fills
 * in, the rules a contact must keep with their messages, the name order, and which contacts each
 * view of the list shows (freeagent-contacts.txt). The local store and the tests' fake FreeAgent
 * both follow them.
 */

type Json = Record<string, unknown>;

/** What FreeAgent fills in on a create. */
export const CREATE_DEFAULTS: Readonly<Json> = {
  account_balance: "0.0",
  active_projects_count: 0,
  status: "Active",
};

/** FreeAgent leaves out the attributes that have no value. */
export const withoutNulls = (record: Json): Json =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null && value !== undefined));

const REQUIRED_NAMES = [
  { attribute: "first_name", message: "First name can't be blank" },
  { attribute: "last_name", message: "Last name can't be blank" },
];

/** The values FreeAgent documents for the attributes that take one of a list. */
const ONE_OF = [
  { attribute: "status", values: ["Active", "Hidden"], message: "Status is not included in the list" },
  {
    attribute: "charge_sales_tax",
    values: ["Auto", "Always", "Never"],
    message: "Charge sales tax is not included in the list",
  },
];

/**
 * The messages FreeAgent answers a contact with (the body of a create, or a contact as an update
 * leaves it): an organisation name, or a first and a last name, each missing one named; a status
 * and a sales tax setting of the documented values (a status cannot be cleared, a sales tax setting can).
 */
export function contactErrors(record: Json): string[] {
  const names = isBlank(record.organisation_name)
    ? REQUIRED_NAMES.filter(({ attribute }) => isBlank(record[attribute])).map(({ message }) => message)
    : [];
  const choices = ONE_OF.filter(({ attribute, values }) => {
    const value = record[attribute];
    const cleared = value === undefined || (value === null && attribute !== "status");
    return !cleared && !values.includes(value as string);
  }).map(({ message }) => message);
  return [...names, ...choices];
}

const text = (value: unknown) => (typeof value === "string" ? value : "");

/** The key of FreeAgent's name order: organisation, last name and first name, run together. */
export const nameSortKey = (record: Json) =>
  foldCase(`${text(record.organisation_name)}${text(record.last_name)}${text(record.first_name)}`);

/** What a contact is to the account (invoices, bills, projects), which the views select by. */
export interface FreeAgentRoles {
  isClient: boolean;
  isSupplier: boolean;
  hasActiveProjects: boolean;
  hasCompletedProjects: boolean;
  hasOpenInvoices: boolean;
  hasOpenBills: boolean;
}

/** The contacts a view shows: those with this status (any, when unset) and every one of these roles. */
export interface ViewRule {
  status?: "Active" | "Hidden";
  roles: (keyof FreeAgentRoles)[];
}

export const VIEW_RULES: Record<FreeAgentView, ViewRule> = {
  ALL: { roles: [] },
  ACTIVE: { status: "Active", roles: [] },
  HIDDEN: { status: "Hidden", roles: [] },
  CLIENTS: { roles: ["isClient"] },
  SUPPLIERS: { status: "Active", roles: ["isSupplier"] },
  ACTIVE_PROJECTS: { roles: ["isClient", "hasActiveProjects"] },
  COMPLETED_PROJECTS: { roles: ["isClient", "hasCompletedProjects"] },
  OPEN_CLIENTS: { roles: ["isClient", "hasOpenInvoices"] },
  OPEN_SUPPLIERS: { roles: ["isSupplier", "hasOpenBills"] },
};
