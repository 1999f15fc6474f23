import type {
  AddContactNote,
  AdditionalCharge,
  Change,
  ChangePage,
  Company,
  CompanyFilter,
  CompanyOrder,
  Contact,
  ContactEntry,
  ContactEntryFilter,
  ContactEntryType,
  ContactNote,
  ContactOrder,
  ContactPerson,
  ContactVersion,
  CreateAdditionalCharge,
  CreateCompany,
  CreateContactEntry,
  CreateContactPerson,
  CreateFreeAgentContact,
  CreateMoneybirdContact,
  Customer,
  CustomerFilter,
  CustomerLink,
  CustomerRecord,
  DeleteContactOutcome,
  FreeAgentContact,
  FreeAgentContactFilter,
  MoneybirdContact,
  MoneybirdContactFilter,
  OrderedContactFilter,
  Page,
  PageRequest,
  PaymentsMandate,
  Provider,
  RequestPaymentsMandate,
  SearchHit,
  UpdateCompany,
  UpdateContactEntry,
  UpdateContactPerson,
  UpdateFreeAgentContact,
  UpdateMoneybirdContact,
} from "./domain/index.ts";
import type { ProtectionStatus } from "./http/upstream-client.ts";

export type { ProtectionStatus };

/**
 * The source ports: one interface per provider resource, domain models in and out.
 * The local store and the REST adapters implement them and pass the same contract suite
 * (test/contract/). Conventions every implementation keeps:
 * - `getByIds` answers in the order of `ids`, with `null` for an id that does not exist;
 *   it never throws for a missing id (the DataLoader turns null into a per-key NOT_FOUND).
 * - Writes throw `ValidationError` (field paths on the GraphQL input, without "input"),
 *   `NotFoundError` for a missing target, `UpstreamError` when the provider fails. A write that
 *   throws has changed nothing.
 * - `list` serves offset pages; `totalCount` is null where the provider cannot count.
 */

export interface CompanySource {
  getByIds(ids: readonly string[]): Promise<(Company | null)[]>;
  /** Ties are broken by id, so pages are stable. */
  list(filter: CompanyFilter, order: CompanyOrder, page: PageRequest): Promise<Page<Company>>;
  create(input: CreateCompany): Promise<Company>;
  update(id: string, patch: UpdateCompany): Promise<Company>;
  archive(id: string): Promise<Company>;
  restore(id: string): Promise<Company>;
}

export interface ContactEntrySource {
  getByIds(ids: readonly string[]): Promise<(ContactEntry | null)[]>;
  /** Every entry of each company (all pages), grouped in the order of `companyIds`. */
  listByCompanyIds(
    companyIds: readonly string[],
    types: readonly ContactEntryType[] | null,
  ): Promise<ContactEntry[][]>;
  list(filter: ContactEntryFilter, page: PageRequest): Promise<Page<ContactEntry>>;
  create(input: CreateContactEntry): Promise<ContactEntry>;
  update(id: string, patch: UpdateContactEntry): Promise<ContactEntry>;
  delete(id: string): Promise<void>;
}

export interface MoneybirdContactSource {
  /** Archived contacts are returned too: an id names one record whatever its state. */
  getByIds(ids: readonly string[]): Promise<(MoneybirdContact | null)[]>;
  getByCustomerId(customerId: string): Promise<MoneybirdContact | null>;
  /**
   * Every contact's id and version (Moneybird's `GET /contacts/synchronization`), so a client can
   * fetch only what changed; the filter takes the same fields as `list`'s filter endpoint.
   */
  listVersions(filter: Omit<MoneybirdContactFilter, "query">): Promise<ContactVersion[]>;
  list(filter: MoneybirdContactFilter, page: PageRequest): Promise<Page<MoneybirdContact>>;
  create(input: CreateMoneybirdContact): Promise<MoneybirdContact>;
  update(id: string, patch: UpdateMoneybirdContact): Promise<MoneybirdContact>;
  /** Moneybird archives a contact it cannot delete (one with documents); the outcome says which. */
  delete(id: string): Promise<DeleteContactOutcome>;
  archive(id: string): Promise<void>;

  createContactPerson(contactId: string, input: CreateContactPerson): Promise<ContactPerson>;
  updateContactPerson(
    contactId: string,
    personId: string,
    patch: UpdateContactPerson,
  ): Promise<ContactPerson>;
  deleteContactPerson(contactId: string, personId: string): Promise<void>;

  addNote(contactId: string, input: AddContactNote): Promise<ContactNote>;
  deleteNote(contactId: string, noteId: string): Promise<void>;

  listAdditionalCharges(contactId: string, includeBilled: boolean): Promise<AdditionalCharge[]>;
  createAdditionalCharge(contactId: string, input: CreateAdditionalCharge): Promise<AdditionalCharge>;

  /** null when the contact has no mandate; `UpstreamError` FORBIDDEN when Moneybird Payments is off. */
  getPaymentsMandate(contactId: string): Promise<PaymentsMandate | null>;
  requestPaymentsMandate(contactId: string, input: RequestPaymentsMandate): Promise<void>;
  createPaymentsMandateUrl(
    contactId: string,
    identityId: string | null,
    workflowId?: string | null,
  ): Promise<string>;
  deletePaymentsMandate(contactId: string): Promise<void>;
}

export interface FreeAgentContactSource {
  getByIds(ids: readonly string[]): Promise<(FreeAgentContact | null)[]>;
  list(filter: FreeAgentContactFilter, page: PageRequest): Promise<Page<FreeAgentContact>>;
  create(input: CreateFreeAgentContact): Promise<FreeAgentContact>;
  update(id: string, patch: UpdateFreeAgentContact): Promise<FreeAgentContact>;
  delete(id: string): Promise<void>;
}

/**
 * The change log: every insert, update and delete of a record the store keeps, whoever wrote it,
 * in commit order. Positions are `Change.sequence`s. Both throw `ChangeFeedError` EXPIRED when
 * changes after `after` are no longer kept.
 */
export interface ChangeSource {
  /** Up to `first` changes after `after` (null: from the oldest kept). */
  list(after: number | null, first: number): Promise<ChangePage>;
  /**
   * The changes after `after` (null: from now on), each as it commits, until the iterator is
   * returned or the source closes. Reading goes by position, so none is lost between the backlog
   * and the live ones.
   */
  watch(after: number | null): Promise<AsyncIterableIterator<Change>>;
  /** The newest position (0: nothing logged yet). */
  head(): Promise<number>;
  /** Ends every watch now: the gateway is shutting down, so its streams end and their clients reconnect elsewhere. */
  endWatches(): void;
}

/**
 * Full-text search over the records a database holds (the store, and later the mirror, which is
 * the same tables): ranked best first, ties in a fixed order, so offset pages are stable.
 */
export interface SearchSource {
  /** The providers whose records it searches: those the store serves. */
  readonly providers: readonly Provider[];
  /**
   * The records matching every word of `query` (the last one as a prefix), case and accents
   * folded; the text is never read as query syntax. No word (only punctuation) matches nothing.
   * `BadUserInputError` when it has more words than a search takes.
   */
  search(query: string, page: PageRequest): Promise<Page<SearchHit>>;
}

/**
 * Moneybird's and FreeAgent's contacts as one list in one order, which only a database holding
 * both providers' records can serve (the store, or a fresh mirror of a live provider).
 */
export interface OrderedContactSource {
  /** Whether it holds `provider`'s records for this request: asked at resolve time, since a mirror's freshness varies. */
  covers(provider: Provider): boolean;
  /**
   * The contacts of `providers` (each covered) ordered by `order`, ties by provider, then id, so
   * offset pages are stable.
   */
  list(
    filter: OrderedContactFilter,
    order: ContactOrder,
    providers: readonly Contact["provider"][],
    page: PageRequest,
  ): Promise<Page<Contact>>;
}

/** A record as a live provider answered it, kept by the mirror: its `raw` is what the row stores. */
export type MirroredRecord = Company | ContactEntry | MoneybirdContact | FreeAgentContact;
export type MirroredKind = MirroredRecord["kind"];

/** What one step of a sync round writes: records as the provider answered them, and records gone. */
export interface MirrorBatch {
  upserts: readonly MirroredRecord[];
  deletions: readonly { kind: MirroredKind; id: string }[];
}

/** Where a provider's sync stands, once a round (or a step of one) is written; epoch milliseconds. */
export interface MirrorProgress {
  /** When the round that just completed began: the mirror holds every change made before. */
  syncedAt?: number;
  /** When the full listing that just completed began (a sweep: deletions seen). */
  sweptAt?: number;
  /** Where the next incremental read starts (FreeAgent's `updated_since`). */
  cursor?: number;
}

export interface MirrorState {
  provider: Provider;
  /** null: no round completed yet, so the mirror serves none of the provider's reads. */
  syncedAt: number | null;
  sweptAt: number | null;
  cursor: number | null;
  /** When the last round began, completed or not. */
  attemptedAt: number | null;
  /** The last round's failure; null once a round completes. */
  lastError: string | null;
  /** Rounds failed in a row. */
  failures: number;
  /** Records of the provider the mirror holds now. */
  records: number;
}

export interface MirrorReport {
  /** null: no round written yet. */
  state: MirrorState | null;
  /** Whether this instance holds the lease (it syncs) or another does. */
  syncing: boolean;
  intervalSeconds: number;
}

/**
 * The store's side of the mirror: the same tables the store serves from, written with the records
 * a live provider answered. Writes of a sync round are fenced by a lease, so that only the
 * instance that holds it syncs (another that lost it, paused past its lease, writes nothing).
 */
export interface MirrorStore {
  /** What the mirror holds of a kind: id → fingerprint (Moneybird: the version; else the record's JSON). */
  fingerprints(kind: MirroredKind): Promise<Map<string, string>>;
  /** Writes a batch and the progress in one transaction, if `holder` still holds the lease (renewed); false: nothing written. */
  write(holder: string, provider: Provider, batch: MirrorBatch, progress: MirrorProgress): Promise<boolean>;
  /** A round that failed: its message and time, for `providers`; written only by the lease holder. */
  recordFailure(holder: string, provider: Provider, message: string, attemptedAt: number): Promise<void>;
  states(): Promise<MirrorState[]>;
  /** Takes or renews the lease for `ttlMs`; false while another holder's lease runs. */
  lease(holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up now (shutting down), so another instance takes over at once. */
  release(holder: string): Promise<void>;
  /** A write through the gateway: the provider's answer, kept at once by whichever instance made it. */
  keep(record: MirroredRecord): Promise<void>;
  forget(kind: MirroredKind, id: string): Promise<void>;
}

/**
 * Customers across the providers (issue 16), as the store keeps them: reads for the schema, and
 * the manual decisions, which the matcher (src/contacts/customers/matcher.ts) applies.
 */
export interface CustomerSource {
  /** The providers whose records are matched: those whose records the store holds. */
  readonly providers: readonly Provider[];
  getByIds(ids: readonly string[]): Promise<(Customer | null)[]>;
  /** The link of each record (`Kind:id`); null for a record in no customer (not matched yet, or not held). */
  linksOf(nodeIds: readonly string[]): Promise<(CustomerLink | null)[]>;
  /** Each customer's links, in node id order. */
  linksOfCustomers(customerIds: readonly string[]): Promise<CustomerLink[][]>;
  /** The records as the store (or the mirror) holds them, never read upstream; null for one it does not hold. */
  records(nodeIds: readonly string[]): Promise<(CustomerRecord | null)[]>;
  /** By display name, ties by id. */
  list(filter: CustomerFilter, page: PageRequest): Promise<Page<Customer>>;
  /** Joins the records into one customer for good (NotFoundError for a record not held); its customer once applied. */
  link(nodeIds: readonly string[], madeBy: string): Promise<Customer>;
  /** Stands the record alone for good; its own customer and the one it left (null: it was alone). */
  unlink(nodeId: string, madeBy: string): Promise<{ customer: Customer; previous: Customer | null }>;
}

/** A manual decision as the store keeps it. */
export interface StoredDecision {
  id: string;
  kind: "LINK" | "UNLINK";
  nodeIds: string[];
  from: string | null;
  madeAt: string;
  madeBy: string;
  applied: boolean;
}

/** A customer as the matcher writes it: `id` null for a new one (the store gives it one). */
export interface CustomerWrite {
  key: string;
  id: string | null;
  displayName: string;
  providers: Provider[];
  conflicts: Customer["conflicts"];
  links: Omit<CustomerLink, "customerId">[];
}

/** The matcher's side of the customer tables; writes are fenced by the `customers` lease. */
export interface CustomerStore {
  /** Every record of `providers` the store holds. */
  allRecords(providers: readonly Provider[]): Promise<CustomerRecord[]>;
  records(nodeIds: readonly string[]): Promise<(CustomerRecord | null)[]>;
  /** The links as written, by node id, and where in the change log they stand (null: never matched). */
  state(): Promise<{ links: Map<string, CustomerLink>; throughSequence: number | null }>;
  decisions(): Promise<StoredDecision[]>;
  /** Whether an unapplied decision waits (the cheap poll of an instance that matches). */
  hasUnappliedDecisions(): Promise<boolean>;
  addDecision(decision: Omit<StoredDecision, "applied">): Promise<void>;
  isApplied(decisionId: string): Promise<boolean>;
  /**
   * In one transaction, if `holder` holds the lease (renewed): upserts `customers` with their
   * links, deletes `removedCustomerIds` and the links of `removedNodeIds`, marks decisions applied,
   * moves the change-log position. Returns the ids by key, or null when fenced out (nothing written).
   */
  write(
    holder: string,
    change: {
      customers: readonly CustomerWrite[];
      removedCustomerIds: readonly string[];
      removedNodeIds: readonly string[];
      appliedDecisionIds: readonly string[];
      throughSequence: number;
    },
  ): Promise<Map<string, string> | null>;
  lease(holder: string, ttlMs: number): Promise<boolean>;
  release(holder: string): Promise<void>;
}

/** Which backend serves a provider, and a cheap health probe for `providers` and /ready. */
export interface ProviderBackend {
  backend: "LIVE" | "STORE";
  /** Resolves when the backend can serve; rejects with an `UpstreamError` when it cannot. */
  ping(): Promise<void>;
  /** A live provider's breaker and rate budget, read without calling the provider. */
  protection?(): Promise<ProtectionStatus>;
  /** A mirrored provider's sync, as this instance last read it (null: not mirrored). */
  mirror?(): MirrorReport;
}

export interface Sources {
  companies: CompanySource;
  contactEntries: ContactEntrySource;
  moneybirdContacts: MoneybirdContactSource;
  freeAgentContacts: FreeAgentContactSource;
  /** null when no provider is served by the store, which keeps the log. */
  changes: ChangeSource | null;
  /** null when no provider is served by the store, which holds the index. */
  search: SearchSource | null;
  /** null when no database holds any accounting provider's records. */
  orderedContacts: OrderedContactSource | null;
  /** null when the store is not open (every provider served live, unmirrored): no records to match. */
  customers: CustomerSource | null;
  health: Record<"PRODUCTIVE" | "MONEYBIRD" | "FREEAGENT", ProviderBackend>;
}
