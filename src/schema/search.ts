import { GraphQLError } from "graphql";
import type { GatewayContext } from "../context.ts";
import { PROVIDER_NAMES, PROVIDERS, type Provider } from "../domain/common.ts";
import type { SearchHit, SearchResult } from "../domain/index.ts";
import { builder } from "./builder.ts";
import { type ConnectionShape, offsetCursor, pageRequest, toConnection } from "./connection.ts";
import { ProviderEnum } from "./provider.ts";
import {
  CompanyNode,
  ContactPersonNode,
  FreeAgentContactNode,
  MoneybirdContactNode,
  nestedKey,
} from "./refs.ts";

/**
 * A union rather than the Node interface: it names the four types a result can be, so a client's
 * fragments (and generated types) cover every case, and adding a searchable type later shows up
 * in the schema as a change to this union.
 */
const SearchResultUnion = builder.unionType("SearchResult", {
  description:
    "A record `search` found: a Productive company, a Moneybird contact or contact person, or a FreeAgent contact.",
  types: [CompanyNode, MoneybirdContactNode, FreeAgentContactNode, ContactPersonNode],
  resolveType: (result: SearchResult) => result.kind,
});

type SearchConnectionShape = ConnectionShape<SearchResult> & {
  edges: { cursor: string; node: SearchResult; score: number }[];
  searchedProviders: readonly Provider[];
};

const SearchConnection = builder.connectionObject(
  {
    type: SearchResultUnion,
    name: "SearchConnection",
    fields: (t) => ({
      totalCount: t.int({
        nullable: true,
        description: "How many records match; null on a page past the last match.",
        resolve: (connection) => (connection as unknown as SearchConnectionShape).totalCount,
      }),
      searchedProviders: t.field({
        type: [ProviderEnum],
        description:
          "The providers whose records were searched: those the local store serves, and live ones the mirror (MIRROR=on) has synced. Any other provider is not searched (its records are not in the store); each such provider also has a NOT_SEARCHABLE error in `errors`.",
        resolve: (connection) => (connection as unknown as SearchConnectionShape).searchedProviders,
      }),
    }),
  },
  {
    name: "SearchEdge",
    fields: (t) => ({
      score: t.float({
        description:
          "How well the record matches, higher is better; comparable within one result list only (bm25 on SQLite, ts_rank on PostgreSQL).",
        resolve: (edge) => (edge as unknown as { score: number }).score,
      }),
    }),
  },
);

/** The results are typed as a union, which `cacheResolved` does not see: each type's loader is primed here. */
function primeLoaders(hits: readonly SearchHit[], ctx: GatewayContext): void {
  for (const { node } of hits) {
    if (node.kind === "Company") CompanyNode.getDataloader(ctx).prime(node.id, node);
    else if (node.kind === "MoneybirdContact") MoneybirdContactNode.getDataloader(ctx).prime(node.id, node);
    else if (node.kind === "FreeAgentContact") FreeAgentContactNode.getDataloader(ctx).prime(node.id, node);
    else ContactPersonNode.getDataloader(ctx).prime(nestedKey(node), node);
  }
}

const notSearchable = (provider: Provider, path: readonly (string | number)[]) =>
  new GraphQLError(
    `${PROVIDER_NAMES[provider]} is served live, so its records are not in the store and were not searched`,
    { path, extensions: { code: "NOT_SEARCHABLE", provider } },
  );

builder.queryField("search", (t) =>
  t.field({
    type: SearchConnection,
    description:
      "Productive companies, Moneybird contacts and contact people, and FreeAgent contacts whose text holds every word of `query` (the last word as a prefix, as one types), case and accents ignored, best match first: a match in a name ranks above one in an email, a note or an address. Ties are ordered by type and id. Only words count: punctuation separates them and is never query syntax, so a query of punctuation alone finds nothing. Served from the local store (docs/search.md).",
    args: { query: t.arg.string({ required: true }), first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, { query, first, after }, ctx, info) => {
      const request = pageRequest({ first, after }, "search");
      const searched = ctx.sources.search?.providers ?? [];
      for (const provider of PROVIDERS.filter((p) => !searched.includes(p))) {
        ctx.partialErrors.push(notSearchable(provider, [info.path.key]));
      }
      const page = ctx.sources.search
        ? await ctx.sources.search.search(query, request)
        : { items: [], hasNextPage: false, totalCount: 0 };
      primeLoaders(page.items, ctx);
      const connection = toConnection(
        page.items.map((hit, i) => ({
          cursor: offsetCursor("search", request.offset + i),
          node: hit.node,
          score: hit.score,
        })),
        page.hasNextPage,
        request.offset > 0,
        page.totalCount,
      );
      return { ...connection, searchedProviders: searched } as never;
    },
  }),
);
