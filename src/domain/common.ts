/** The upstream systems the gateway federates. */
export type Provider = "PRODUCTIVE" | "MONEYBIRD" | "FREEAGENT";
export const PROVIDERS: readonly Provider[] = ["PRODUCTIVE", "MONEYBIRD", "FREEAGENT"];
/** How messages name each provider. */
export const PROVIDER_NAMES: Record<Provider, string> = {
  PRODUCTIVE: "Productive",
  MONEYBIRD: "Moneybird",
  FREEAGENT: "FreeAgent",
};

/** Every record type that has an id of its own (and so a global id in the graph). */
export type RecordKind =
  | "Company"
  | "ContactEntry"
  | "MoneybirdContact"
  | "FreeAgentContact"
  | "ContactPerson"
  | "ContactNote"
  | "Customer";

/** An upstream record exactly as the provider (or the store, in the provider's shape) returned it. */
export type RawRecord = Record<string, unknown>;

/** ISO 8601 timestamp string, as the upstreams send them. */
export type Timestamp = string;

/**
 * Offset pagination is the one model all three upstreams can serve (page numbers map onto it),
 * so every port lists with an offset and a limit and the schema turns that into Relay cursors.
 */
export interface PageRequest {
  offset: number;
  limit: number;
  /** false: the caller does not read `totalCount`, so a source may skip counting and answer null. */
  countTotal?: boolean;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  /** null when the source cannot know it cheaply (Moneybird has no total count). */
  totalCount: number | null;
}

/** Largest `first` a connection accepts; above it is a BAD_USER_INPUT error, never a silent clamp. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
