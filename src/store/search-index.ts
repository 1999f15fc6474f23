import { type Kysely, sql } from "kysely";
import { columnTypes, isPostgres } from "./dialect.ts";

/**
 * The search index (migration 0006_search): a row per searchable record in `search_documents`
 * (its `name` and `body` text), kept by triggers on the record tables in the writing transaction,
 * so every writer (the store's write paths, a mirror's sync, an import) keeps it without a word.
 * The text is taken from the row's `domain` (the gateway's own field names, the same for every
 * provider's contacts), so the index reads the same whatever shape the provider's record has.
 * SQLite indexes it in an FTS5 table (`search_fts`, external content); PostgreSQL in a generated,
 * GIN-indexed `vector` over the folded text (`search_fold`). See docs/search.md.
 */

// biome-ignore lint/suspicious/noExplicitAny: a migration runs on the schema of its time, not today's `Database`
type AnyDb = Kysely<any>;

type Dialect = "sqlite" | "postgres";

/** A searchable record kept inside a record table's row, or the row itself. */
interface DocumentSpec {
  typename: "Company" | "MoneybirdContact" | "FreeAgentContact" | "ContactPerson";
  /** The array of `domain` holding one record per item (a contact's people); absent: the row's own record. */
  items?: string;
  /** Paths into the record: what it is called (ranked first), and what else finds it. */
  name: string[][];
  body: (string[] | "notes")[];
}

const CONTACT_NAME = [["companyName"], ["firstName"], ["lastName"]];

/** The record tables and the documents each row holds. */
const INDEXED_TABLES: Record<string, DocumentSpec[]> = {
  productive_companies: [
    {
      typename: "Company",
      name: [["name"]],
      body: [["billingName"], ["companyCode"], ["domain"], ["vat"], ["description"]],
    },
  ],
  moneybird_contacts: [
    {
      typename: "MoneybirdContact",
      name: CONTACT_NAME,
      body: [
        ["email"],
        ["sendInvoicesToEmail"],
        ["sendEstimatesToEmail"],
        ["phone"],
        ["customerId"],
        ["attention"],
        ["taxNumber"],
        ["chamberOfCommerce"],
        ["address", "line1"],
        ["address", "city"],
        "notes",
      ],
    },
    {
      typename: "ContactPerson",
      items: "contactPersons",
      name: [["firstName"], ["lastName"]],
      body: [["email"], ["phone"], ["department"]],
    },
  ],
  freeagent_contacts: [
    {
      typename: "FreeAgentContact",
      name: CONTACT_NAME,
      body: [
        ["email"],
        ["billingEmail"],
        ["phone"],
        ["mobile"],
        ["taxNumber"],
        ["address", "line1"],
        ["address", "city"],
      ],
    },
  ],
};

/** A text value at `path` of the JSON text `json`. */
function jsonText(dialect: Dialect, json: string, path: string[]): string {
  return dialect === "sqlite"
    ? `(${json} ->> '$.${path.join(".")}')`
    : `(${json}::jsonb #>> '{${path.join(",")}}')`;
}

/** Every note's text, space-separated. */
function notesText(dialect: Dialect, json: string): string {
  return dialect === "sqlite"
    ? `(select group_concat(n.value ->> '$.note', ' ') from json_each(${json}, '$.notes') n)`
    : `(select string_agg(n.value ->> 'note', ' ') from jsonb_array_elements(${json}::jsonb -> 'notes') n(value))`;
}

const joined = (parts: string[]) => parts.map((part) => `coalesce(${part}, '')`).join(` || ' ' || `);

/**
 * The select of one spec's documents (typename, record_id, item_id, name, body) of the row `row`;
 * `from` names the table when `row` is an alias of it rather than a trigger's `new`.
 */
function documentSelect(dialect: Dialect, spec: DocumentSpec, row: string, from: string | null): string {
  const source = spec.items ? "item.value" : `${row}.domain`;
  const text = (paths: DocumentSpec["body"]) =>
    joined(
      paths.map((path) => (path === "notes" ? notesText(dialect, source) : jsonText(dialect, source, path))),
    );
  const tables = from ? [`${from} ${row}`] : [];
  let itemId = "0";
  if (spec.items) {
    tables.push(
      dialect === "sqlite"
        ? `json_each(${row}.domain, '$.${spec.items}') item`
        : `jsonb_array_elements(${row}.domain::jsonb -> '${spec.items}') item(value)`,
    );
    itemId =
      dialect === "sqlite" ? "cast(item.value ->> '$.id' as integer)" : "(item.value ->> 'id')::bigint";
  }
  const fromClause = tables.length > 0 ? ` from ${tables.join(", ")}` : "";
  return `select '${spec.typename}', ${row}.id, ${itemId}, ${text(spec.name)}, ${text(spec.body)}${fromClause}`;
}

const INSERT = "insert into search_documents (typename, record_id, item_id, name, body)";

function documentInserts(dialect: Dialect, table: string, row: string, from: string | null): string[] {
  return (INDEXED_TABLES[table] ?? []).map(
    (spec) => `${INSERT} ${documentSelect(dialect, spec, row, from)};`,
  );
}

function documentDelete(table: string, row: string): string {
  const typenames = (INDEXED_TABLES[table] ?? []).map((spec) => `'${spec.typename}'`).join(", ");
  return `delete from search_documents where typename in (${typenames}) and record_id = ${row}.id;`;
}

function sqliteStatements(): string[] {
  return [
    `create virtual table search_fts using fts5(name, body, content = 'search_documents', content_rowid = 'id',
       tokenize = 'unicode61 remove_diacritics 2')`,
    `create trigger search_documents_inserted after insert on search_documents begin
       insert into search_fts (rowid, name, body) values (new.id, new.name, new.body); end`,
    `create trigger search_documents_deleted after delete on search_documents begin
       insert into search_fts (search_fts, rowid, name, body) values ('delete', old.id, old.name, old.body); end`,
    ...Object.keys(INDEXED_TABLES).flatMap((table) => [
      `create trigger ${table}_search_inserted after insert on ${table} begin
         ${documentInserts("sqlite", table, "new", null).join(" ")} end`,
      `create trigger ${table}_search_updated after update of domain on ${table} when old.domain is not new.domain begin
         ${documentDelete(table, "old")} ${documentInserts("sqlite", table, "new", null).join(" ")} end`,
      `create trigger ${table}_search_deleted after delete on ${table} begin ${documentDelete(table, "old")} end`,
    ]),
  ];
}

/**
 * Case and accents folded as FTS5's `unicode61 remove_diacritics 2` and `foldSearchText` fold
 * them (lower case, decomposed, combining marks dropped), and every run of other characters a
 * separator, so `to_tsvector`'s parser finds the same words (not e-mail addresses or host names
 * as one token). Plain SQL rather than the `unaccent` extension, which a database may not offer.
 */
const FOLD_FUNCTION = `create function search_fold(value text) returns text language sql immutable parallel safe as $$
  select regexp_replace(regexp_replace(normalize(lower(value), NFD), '[\\u0300-\\u036f]', '', 'g'), '[^[:alnum:]]+', ' ', 'g')
$$`;

function postgresStatements(): string[] {
  return Object.keys(INDEXED_TABLES).flatMap((table) => [
    `create function ${table}_search() returns trigger language plpgsql as $$
     begin
       if tg_op = 'UPDATE' and old.domain is not distinct from new.domain then return null; end if;
       if tg_op <> 'INSERT' then ${documentDelete(table, "old")} end if;
       if tg_op <> 'DELETE' then ${documentInserts("postgres", table, "new", null).join(" ")} end if;
       return null;
     end $$`,
    `create trigger ${table}_search after insert or update or delete on ${table}
       for each row execute function ${table}_search()`,
  ]);
}

/** Creates the index, its triggers, and the documents of the rows stored already. */
export async function createSearchIndex(db: AnyDb): Promise<void> {
  const t = columnTypes(db);
  const postgres = isPostgres(db);
  if (postgres) await sql.raw(FOLD_FUNCTION).execute(db);
  let table = db.schema
    .createTable("search_documents")
    .addColumn("id", t.autoNumberedKey, t.autoNumbered)
    .addColumn("typename", "text", (c) => c.notNull())
    .addColumn("record_id", t.int64, (c) => c.notNull())
    .addColumn("item_id", t.int64, (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull());
  if (postgres) {
    table = table.addColumn("vector", sql`tsvector`, (c) =>
      c
        .generatedAlwaysAs(
          sql`setweight(to_tsvector('simple', search_fold(name)), 'A') || setweight(to_tsvector('simple', search_fold(body)), 'B')`,
        )
        .stored(),
    );
  }
  await table.execute();
  // A record's documents are found (to replace them) by typename and record id; one document a record.
  await db.schema
    .createIndex("search_documents_record")
    .on("search_documents")
    .columns(["typename", "record_id", "item_id"])
    .unique()
    .execute();
  if (postgres)
    await sql`create index search_documents_vector on search_documents using gin (vector)`.execute(db);

  const dialect: Dialect = postgres ? "postgres" : "sqlite";
  for (const statement of postgres ? postgresStatements() : sqliteStatements()) {
    await sql.raw(statement).execute(db);
  }
  for (const table of Object.keys(INDEXED_TABLES)) {
    for (const insert of documentInserts(dialect, table, "r", table)) await sql.raw(insert).execute(db);
  }
}
