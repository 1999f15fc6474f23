import type { ColumnType, Generated, Kysely } from "kysely";

/**
 * The store's tables. Each keeps the upstream record as JSON text in the provider's own shape
 * (`record`), the domain object mapped from it (`domain`: JSON without `raw`, so reads neither
 * validate nor map again), plus copies of the values it filters and sorts on. Timestamps used for
 * comparison are kept as epoch milliseconds, so instants are compared, never strings with
 * different offsets. Internal state that no upstream record carries (roles, billed flags,
 * mandates) has columns of its own.
 *
 * `domain` (and Moneybird's `version`) are nullable in SQL, as added by a migration; opening the
 * store fills every row that lacks them (`completeStoredRows`), so reads can rely on them.
 */
export interface Database {
  id_sequences: { name: SequenceName; last_id: number };

  productive_companies: {
    id: number;
    record: string;
    domain: string;
    name_key: string;
    company_code: string | null;
    billing_name_key: string | null;
    vat: string | null;
    default_currency: string | null;
    domain_key: string | null;
    due_days: number | null;
    archived: number;
    created_at_ms: number;
    last_activity_at_ms: number | null;
    // Since 0004.
    default_subsidiary_id: number | null;
    default_tax_rate_id: number | null;
    archived_at_ms: number | null;
  };
  /** A company's `tag_list`, a row per tag, so the tags filter is an index lookup. */
  productive_company_tags: { company_id: number; tag: string };
  productive_contact_entries: {
    id: number;
    record: string;
    domain: string;
    /** Null when no company owns the entry (since 0004). */
    company_id: number | null;
    /** The owner's id, of `contactable_type` (since 0004). */
    contactable_id: number;
    type: string;
    contactable_type: string;
  };

  moneybird_contacts: {
    /** Written as text when beyond 2^53 (a mirrored Moneybird id: see storedIds); read only through `record`. */
    id: ColumnType<number, number | string, never>;
    record: string;
    domain: string;
    version: number;
    search_text: string;
    firstname_key: string;
    lastname_key: string;
    customer_id: string;
    archived: number;
    created_at_ms: number;
    updated_at_ms: number;
    // Moneybird's value filters (VALUE_FILTERS), since 0004.
    contact_type: string;
    delivery_method: string;
    trusted_type: string;
    invoice_workflow_id: string;
    estimate_workflow_id: string;
    // The list's todo and contact_field/contact_value parameters (listParameterColumns), since 0005.
    todo_types: string;
    field_values: string;
    /** contactNameKey of `domain` (since 0008). */
    name_key: string;
  };
  moneybird_additional_charges: { id: number; contact_id: number; billed: number; record: string };
  moneybird_payments_mandates: { contact_id: number; record: string };
  moneybird_mandate_requests: {
    id: Generated<number>;
    contact_id: number;
    email_message: string | null;
    identity_id: string | null;
    workflow_id: string | null;
    url: string | null;
    requested_at: string;
  };

  freeagent_contacts: {
    id: number;
    record: string;
    domain: string;
    status: string;
    sort_name: string;
    active_projects_count: number;
    is_client: number;
    is_supplier: number;
    has_completed_projects: number;
    has_open_invoices: number;
    has_open_bills: number;
    created_at_ms: number;
    updated_at_ms: number;
    /** contactNameKey of `domain` (since 0008); `sort_name` is FreeAgent's own name order. */
    name_key: string;
  };
  /**
   * A searchable record (since 0006), written by triggers on the record tables (search-index.ts):
   * `record_id` is the row's id, `item_id` a contact person's id inside it (0 for the row's own
   * record). PostgreSQL adds a generated `vector` (tsvector); SQLite indexes it in `search_fts`.
   */
  search_documents: {
    id: Generated<number>;
    typename: string;
    record_id: number;
    item_id: number;
    name: string;
    body: string;
  };
  /** The change log (since 0007), written by triggers on the record tables: see changes.ts. */
  changes: {
    sequence: Generated<number>;
    kind: string;
    provider: string;
    typename: string;
    /** The record's id at its provider (`contactId/id` for a Moneybird contact person or note). */
    remote_id: string;
    at_ms: number;
  };
  /** The highest position pruned from the log; a position below it is EXPIRED. No row: nothing pruned. */
  changes_horizon: { pruned_through: number };
  /** A mirrored provider's sync progress (since 0009); no row: never synced. See mirror.ts. */
  mirror_state: {
    provider: string;
    synced_at_ms: number | null;
    swept_at_ms: number | null;
    cursor_ms: number | null;
    attempted_at_ms: number | null;
    last_error: string | null;
    failures: number;
  };
  /** Who syncs the mirror (`sync`) or matches customers (`customers`, since 0010), until when: taken over once it expires. */
  mirror_lease: { name: string; holder: string; expires_at_ms: number };
  /** A customer across providers (since 0010): see customers.ts. JSON text: `conflicts`. */
  customers: {
    id: number;
    display_name: string;
    name_key: string;
    /** The providers of its records, comma-separated in schema order. */
    providers: string;
    provider_count: number;
    record_count: number;
    conflicts: string;
    created_at_ms: number;
    updated_at_ms: number;
  };
  /** A record's link to its customer (since 0010). JSON text: `matched_by`, `pairs`, `conflicts`. */
  customer_links: {
    /** `Kind:id`, as matching names records. */
    node_id: string;
    customer_id: number;
    provider: string;
    kind: string;
    record_id: string;
    matched_by: string;
    /** Confidence × 1000, an integer on both dialects. */
    confidence_milli: number;
    manual: number;
    linked_at_ms: number;
    pairs: string;
    conflicts: string;
  };
  /** A link or unlink made by hand (since 0010), replayed by the matcher in `made_at` order. */
  customer_decisions: {
    id: string;
    kind: "LINK" | "UNLINK";
    node_ids: string;
    from_node_id: string | null;
    made_at: string;
    made_by: string;
    applied: number;
  };
  /** The change-log position the links reflect (one row, `matcher`). */
  customer_state: { name: string; through_sequence: number; matched_at_ms: number };
}

/** One id sequence per upstream id space: Moneybird's ids are unique across its record types. */
export type SequenceName =
  | "productive_companies"
  | "productive_contact_entries"
  | "moneybird"
  | "freeagent_contacts"
  | "customers";

/** The database or a transaction on it: the write helpers run inside the caller's transaction. */
export type Db = Kysely<Database>;
