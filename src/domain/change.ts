import type { Provider, RecordKind } from "./common.ts";

export type ChangeKind = "CREATED" | "UPDATED" | "DELETED";

/** One insert, update or delete of a record, as the change log keeps it. */
export interface Change {
  /** The log's position: increasing in commit order, never reused. */
  sequence: number;
  kind: ChangeKind;
  provider: Provider;
  typename: RecordKind;
  /** The record's id at its provider (`contactId/id` for a contact person or note). */
  remoteId: string;
  /** When the change was committed (ISO 8601). */
  at: string;
}

/** A page of the change log after a position. */
export interface ChangePage {
  changes: Change[];
  hasNextPage: boolean;
}
