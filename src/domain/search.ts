import type { FreeAgentContact } from "./freeagent.ts";
import type { ContactPerson, MoneybirdContact } from "./moneybird.ts";
import type { Company } from "./productive.ts";

/** What `search` finds: the records people look up by name, each an existing node type. */
export type SearchResult = Company | MoneybirdContact | FreeAgentContact | ContactPerson;

export interface SearchHit {
  node: SearchResult;
  /** Higher is better; comparable within one answer only (bm25 on SQLite, ts_rank on PostgreSQL). */
  score: number;
}
