import { Kind, parse } from "graphql";
import { LIVE_DATA } from "./targets.ts";

/** A GraphQL request the bench sends over and over. */
export interface Scenario {
  key: string;
  title: string;
  query: string;
  /** Filled in per target by `prepareVariables` (real ids and cursors). */
  variables?: Record<string, unknown>;
  /** Unique per request: `[<id>]` in the variables is replaced per request. */
  unique?: boolean;
}

/** The reference operations: each document, and the least upstream work it can cost against the live fakes. */
export interface Operation extends Scenario {
  /** Against the live fakes; the store makes no upstream request at all. */
  minimum: { requests: number; waves: number; why: string };
}

const CONTACT_PEOPLE = "contactPersons(first: 10) { edges { node { id firstName lastName email } } }";
/** Ids per node type in `nodes`: 4 × 25 = the 100 a `nodes` call takes at most. */
const IDS_PER_TYPE = 25;
/** Productive's largest page (docs/productive.md): entries of the 100 companies come in pages of 200. */
const PRODUCTIVE_PAGE = 200;
/** How many Moneybird contacts op (c)'s page starts with, before FreeAgent's. */
export const MONEYBIRD_IN_MIXED_PAGE = 20;

export const FLOOR: Operation = {
  key: "floor",
  title: "`{ __typename }` (floor)",
  query: "{ __typename }",
  minimum: { requests: 0, waves: 0, why: "no field reads data" },
};

export const OPERATIONS: Operation[] = [
  FLOOR,
  {
    key: "a",
    title: "(a) `companies(first: 100) { contactEntries(first: 10) }`",
    query: `query A { companies(first: 100) { edges { node { id name domain status contactEntries(first: 10) { edges { node { id type email phone } } } } } } }`,
    minimum: {
      requests: 1 + Math.ceil((100 * LIVE_DATA.entriesPerCompany) / PRODUCTIVE_PAGE),
      waves: 2,
      why: `Productive: 1 companies page (page[size]=100), then the entries of all 100 companies in one filter[company_id] list (${100 * LIVE_DATA.entriesPerCompany} entries, ≤ 200 a page: 1 page); the entries need the company ids, so 2 waves`,
    },
  },
  {
    key: "b",
    title: "(b) `contactEntries(first: 100) { company }`",
    query: `query B { contactEntries(first: 100) { edges { node { id type email phone company { id name } } } } }`,
    minimum: {
      requests: 1,
      waves: 1,
      why: "Productive: 1 entries page with include=company; the companies come included",
    },
  },
  {
    key: "c",
    title: "(c) `contacts(first: 50)` across Moneybird and FreeAgent, with contact people",
    query: `query C($after: String) { contacts(first: 50, after: $after) { edges { node { __typename id provider displayName email ... on MoneybirdContact { customerId ${CONTACT_PEOPLE} } ... on FreeAgentContact { status accountBalance } } } pageInfo { hasNextPage endCursor } } }`,
    minimum: {
      requests: 2,
      waves: 1,
      why: `the page after Moneybird's last ${MONEYBIRD_IN_MIXED_PAGE} contacts: 1 Moneybird page (people embedded) and 1 FreeAgent page for the other ${50 - MONEYBIRD_IN_MIXED_PAGE}; asked side by side, 1 wave`,
    },
  },
  {
    key: "d",
    title: `(d) \`nodes\` of 100 ids (${IDS_PER_TYPE} each of Company, ContactEntry, MoneybirdContact, FreeAgentContact)`,
    query: `query D($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Company { name } ... on ContactEntry { type email } ... on MoneybirdContact { displayName } ... on FreeAgentContact { displayName } } }`,
    minimum: {
      requests: 1 + IDS_PER_TYPE + 1 + IDS_PER_TYPE,
      waves: 1,
      why: `Productive companies: 1 filter[id] list; entries: ${IDS_PER_TYPE} GETs (no id filter); Moneybird: 1 synchronization call (≤ 100 ids); FreeAgent: ${IDS_PER_TYPE} GETs (no batch read); none depends on another: 1 wave`,
    },
  },
  {
    key: "e",
    title: "(e) `createCompany` (unique name per request)",
    query: `mutation E($input: CreateCompanyInput!) { createCompany(input: $input) { __typename ... on CreateCompanySuccess { companyId company { id name } } ... on Error { message } } }`,
    variables: { input: { name: "Bench company [<id>]" } },
    unique: true,
    minimum: { requests: 1, waves: 1, why: "Productive: 1 POST; the result's company is the POST's answer" },
  },
];

/** The single-upstream-call page of the replay comparison: 50 Moneybird contacts with their people. */
export const MONEYBIRD_PAGE: Operation = {
  key: "mb50",
  title: "`contacts(first: 50, filter: { providers: [MONEYBIRD] })` with contact people",
  query: `query M { contacts(first: 50, filter: { providers: [MONEYBIRD] }) { edges { node { __typename id displayName email ... on MoneybirdContact { customerId ${CONTACT_PEOPLE} } } } } }`,
  minimum: { requests: 1, waves: 1, why: "Moneybird: 1 contacts page (per_page=50), people embedded" },
};

/** Posts one operation; throws on an HTTP failure or a GraphQL error, with the body. */
export async function post(
  origin: string,
  query: string,
  variables: Record<string, unknown> | undefined,
  headers: Record<string, string>,
): Promise<{ text: string; data: Record<string, unknown> }> {
  const response = await fetch(`${origin}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (!response.ok || body.errors || !body.data) {
    throw new Error(`${query.slice(0, 60)}… failed (HTTP ${response.status}): ${text.slice(0, 1000)}`);
  }
  return { text, data: body.data };
}

/** A connection's edges, typed loosely: the bench reads ad-hoc selections. */
type Edges = { edges: { cursor: string; node: { id: string; __typename: string } }[] };

/**
 * The operations with real variables for the gateway at `origin`: 25 ids of each node type for
 * (d), and for (c) the cursor MONEYBIRD_IN_MIXED_PAGE contacts before Moneybird's last one.
 */
export async function prepareVariables(
  origin: string,
  headers: Record<string, string>,
  operations: Operation[],
  /** How the target's documents are sent (the mirror target adds `@mirror`), so ids and cursors come from where the operations read. */
  documentOf: (query: string) => string = (query) => query,
): Promise<Operation[]> {
  const read = async (query: string, field: string) =>
    (await post(origin, documentOf(query), undefined, headers)).data[field] as Edges & {
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
  const ids = async (field: string, filter = "") =>
    (
      await read(
        `{ ${field}(first: ${IDS_PER_TYPE}${filter}) { edges { cursor node { id __typename } } pageInfo { hasNextPage endCursor } } }`,
        field,
      )
    ).edges.map((edge) => edge.node.id);
  const lists = [
    await ids("companies"),
    await ids("contactEntries"),
    await ids("contacts", ", filter: { providers: [MONEYBIRD] }"),
    await ids("contacts", ", filter: { providers: [FREEAGENT] }"),
  ];
  // Interleaved, so that each batch holds ids from all over the list.
  const mixed = lists[0]?.flatMap((_, i) => lists.map((list) => list[i] as string)) ?? [];

  const moneybird: Edges["edges"] = [];
  let after: string | null = null;
  for (;;) {
    const page: Awaited<ReturnType<typeof read>> = await read(
      `{ contacts(first: 100${after ? `, after: "${after}"` : ""}) { edges { cursor node { id __typename } } pageInfo { hasNextPage endCursor } } }`,
      "contacts",
    );
    moneybird.push(...page.edges.filter((edge) => edge.node.__typename === "MoneybirdContact"));
    if (page.edges.some((edge) => edge.node.__typename !== "MoneybirdContact") || !page.pageInfo.hasNextPage)
      break;
    after = page.pageInfo.endCursor;
  }
  const cursor = moneybird.at(-MONEYBIRD_IN_MIXED_PAGE - 1)?.cursor;
  if (!cursor) throw new Error(`fewer than ${MONEYBIRD_IN_MIXED_PAGE + 1} Moneybird contacts`);

  const variablesOf: Record<string, Record<string, unknown>> = { c: { after: cursor }, d: { ids: mixed } };
  return operations.map((operation) => ({
    ...operation,
    variables: variablesOf[operation.key] ?? operation.variables,
  }));
}

/**
 * The document with `@mirror(maxAgeSeconds:)` on each query operation, null when it has none (a
 * mutation): the directive goes right before the operation's selection set (after its name and
 * variables), and a shorthand `{ … }` becomes `query @mirror(…) { … }`; every other byte stays.
 */
export function withMirror(query: string, maxAgeSeconds: number): string | null {
  const directive = `@mirror(maxAgeSeconds: ${maxAgeSeconds})`;
  const insertions: { at: number; text: string }[] = [];
  for (const definition of parse(query).definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION || definition.operation !== "query") continue;
    const at = definition.selectionSet.loc?.start;
    if (at === undefined) throw new Error("graphql's parser gave no locations");
    const shorthand = definition.loc?.start === at;
    insertions.push({ at, text: shorthand ? `query ${directive} ` : `${directive} ` });
  }
  if (insertions.length === 0) return null;
  let document = query;
  for (const { at, text } of insertions.sort((a, b) => b.at - a.at))
    document = `${document.slice(0, at)}${text}${document.slice(at)}`;
  return document;
}

/** The JSON body of one request, with `[<id>]` replaced by `unique` when given. */
export function bodyOf(operation: Scenario, unique?: string): string {
  const body = JSON.stringify({ query: operation.query, variables: operation.variables });
  return unique === undefined ? body : body.replaceAll("[<id>]", unique);
}
