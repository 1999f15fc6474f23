import type { FreeAgentView } from "../../domain/index.ts";
import { foldCase, isBlank } from "../shared/text.ts";

/**
 * How FreeAgent treats contacts beyond the shape of its records (mapping.ts): what a create fills
 * in, the name rule with its messages, the name order, and which contacts each view of the list
 * shows (freeagent-contacts.txt). The local store and the tests' fake FreeAgent both follow them.
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

/** A contact needs an organisation name, or a first and a last name; FreeAgent names each missing one. */
export function contactNameErrors(record: Json): string[] {
  if (!isBlank(record.organisation_name)) return [];
  return REQUIRED_NAMES.filter(({ attribute }) => isBlank(record[attribute])).map(({ message }) => message);
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
