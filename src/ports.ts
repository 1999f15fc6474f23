import type {
  AddContactNote,
  AdditionalCharge,
  Change,
  ChangePage,
  Company,
  CompanyFilter,
  CompanyOrder,
  ContactEntry,
  ContactEntryFilter,
  ContactEntryType,
  ContactNote,
  ContactPerson,
  ContactVersion,
  CreateAdditionalCharge,
  CreateCompany,
  CreateContactEntry,
  CreateContactPerson,
  CreateFreeAgentContact,
  CreateMoneybirdContact,
  DeleteContactOutcome,
  FreeAgentContact,
  FreeAgentContactFilter,
  MoneybirdContact,
  MoneybirdContactFilter,
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

/** Which backend serves a provider, and a cheap health probe for `providers` and /ready. */
export interface ProviderBackend {
  backend: "LIVE" | "STORE";
  /** Resolves when the backend can serve; rejects with an `UpstreamError` when it cannot. */
  ping(): Promise<void>;
  /** A live provider's breaker and rate budget, read without calling the provider. */
  protection?(): Promise<ProtectionStatus>;
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
  health: Record<"PRODUCTIVE" | "MONEYBIRD" | "FREEAGENT", ProviderBackend>;
}
