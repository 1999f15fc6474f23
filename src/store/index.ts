import type {
  CompanySource,
  ContactEntrySource,
  FreeAgentContactSource,
  MoneybirdContactSource,
} from "../sources/ports.ts";

/** The embedded local store: every port, on SQLite. (Being built: see issue 2.) */
export interface LocalStore {
  companies: CompanySource;
  contactEntries: ContactEntrySource;
  moneybirdContacts: MoneybirdContactSource;
  freeAgentContacts: FreeAgentContactSource;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** A file path (its folder is created) or ":memory:". */
  url: string;
  /** Seed the demo data when the store is empty (default true). */
  seed?: boolean;
  /** Whether the Moneybird administration has Moneybird Payments (mandates) enabled (default true). */
  moneybirdPaymentsEnabled?: boolean;
}

export declare function openStore(options: OpenStoreOptions): Promise<LocalStore>;
