import { type SqlBool, sql } from "kysely";
import type {
  Company,
  ContactPerson,
  FreeAgentContact,
  Page,
  PageRequest,
  Provider,
  SearchHit,
  SearchResult,
} from "../domain/index.ts";
import { BadUserInputError } from "../errors.ts";
import type { SearchSource } from "../ports.ts";
import type { Db } from "./database.ts";
import { isPostgres } from "./dialect.ts";
import { readContact } from "./moneybird.ts";
import { readStoredRow, type StoredRow } from "./support.ts";

/** More words than anyone types into a search box: a longer query is refused, not run. */
export const MAX_SEARCH_WORDS = 32;

/** FTS5's column weights (name, body): a name match outranks several matches elsewhere. */
const BM25_WEIGHTS = sql.raw("10.0, 1.0");

/** The documents (search_documents.typename) of each provider's records. */
const PROVIDER_TYPENAMES: Record<Provider, SearchResult["kind"][]> = {
  PRODUCTIVE: ["Company"],
  MONEYBIRD: ["MoneybirdContact", "ContactPerson"],
  FREEAGENT: ["FreeAgentContact"],
};

/**
 * The words of a query, folded as the index folds them (lower case, accents dropped) and split
 * at every character that is neither a letter nor a digit, so no word holds query syntax.
 */
export function searchWords(query: string): string[] {
  return query
    .toLocaleLowerCase("en")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

/** Each word a quoted string (so `OR`, `NEAR` or `*` are text), all required, the last a prefix. */
const fts5Query = (words: string[]) => `${words.map((word) => `"${word}"`).join(" ")}*`;
const tsQuery = (words: string[]) => `${words.map((word) => `'${word}'`).join(" & ")}:*`;

interface HitRow extends StoredRow {
  typename: string;
  item_id: number;
  score: number;
  total: number;
}

function readHit(row: HitRow): SearchHit {
  const score = Number(row.score);
  if (row.typename === "Company") return { node: readStoredRow<Company>(row), score };
  if (row.typename === "FreeAgentContact") return { node: readStoredRow<FreeAgentContact>(row), score };
  const contact = readContact(row);
  if (row.typename === "MoneybirdContact") return { node: contact, score };
  const person = contact.contactPersons.find((p) => p.id === String(row.item_id));
  // The triggers write a person's document from the same row, in the same transaction.
  if (!person) throw new Error(`search index out of step: no person ${row.item_id} in contact ${contact.id}`);
  return { node: person as ContactPerson, score };
}

/**
 * One statement a page: the matching documents ranked, with the rows their nodes are read from
 * joined in, and the number of matches (a window count) beside them.
 */
export function createSearchSource(db: Db, providers: readonly Provider[]): SearchSource {
  const typenames = providers.flatMap((provider) => PROVIDER_TYPENAMES[provider]);
  const postgres = isPostgres(db);
  return {
    providers,
    async search(query: string, page: PageRequest): Promise<Page<SearchHit>> {
      const words = searchWords(query);
      if (words.length > MAX_SEARCH_WORDS) {
        throw new BadUserInputError(`a search takes at most ${MAX_SEARCH_WORDS} words (got ${words.length})`);
      }
      if (words.length === 0 || typenames.length === 0) {
        return { items: [], hasNextPage: false, totalCount: 0 };
      }
      // The ranked matches apart, as a derived table: SQLite refuses bm25 in a query with a window function.
      const hits = postgres
        ? db
            .selectFrom("search_documents")
            .select(["id", sql<number>`ts_rank(vector, to_tsquery('simple', ${tsQuery(words)}))`.as("score")])
            .where(sql<SqlBool>`vector @@ to_tsquery('simple', ${tsQuery(words)})`)
        : db
            .selectFrom(sql<{ rowid: number }>`search_fts`.as("search_fts"))
            // bm25 is lower for better matches; negated, so that higher is better on both dialects.
            .select(["rowid as id", sql<number>`-bm25(search_fts, ${BM25_WEIGHTS})`.as("score")])
            .where(sql<SqlBool>`search_fts match ${fts5Query(words)}`);
      const rows: HitRow[] = await db
        .selectFrom(hits.as("hit"))
        .innerJoin("search_documents as d", "d.id", "hit.id")
        .leftJoin("productive_companies as c", (join) =>
          join.onRef("c.id", "=", "d.record_id").on("d.typename", "=", "Company"),
        )
        .leftJoin("moneybird_contacts as m", (join) =>
          join.onRef("m.id", "=", "d.record_id").on("d.typename", "in", PROVIDER_TYPENAMES.MONEYBIRD),
        )
        .leftJoin("freeagent_contacts as f", (join) =>
          join.onRef("f.id", "=", "d.record_id").on("d.typename", "=", "FreeAgentContact"),
        )
        .select([
          "hit.score",
          "d.typename",
          "d.item_id",
          sql<string>`coalesce(c.domain, m.domain, f.domain)`.as("domain"),
          sql<string>`coalesce(c.record, m.record, f.record)`.as("record"),
          sql<number>`count(*) over ()`.as("total"),
        ])
        .where("d.typename", "in", typenames)
        .orderBy("hit.score", "desc")
        .orderBy("d.typename")
        .orderBy("d.record_id")
        .orderBy("d.item_id")
        .limit(page.limit + 1)
        .offset(page.offset)
        .execute();
      const total = rows[0] ? Number(rows[0].total) : page.offset === 0 ? 0 : null;
      return {
        items: rows.slice(0, page.limit).map(readHit),
        hasNextPage: rows.length > page.limit,
        totalCount: total,
      };
    },
  };
}
