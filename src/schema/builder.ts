import SchemaBuilder from "@pothos/core";
import DataloaderPlugin from "@pothos/plugin-dataloader";
import ErrorsPlugin, { capitalize } from "@pothos/plugin-errors";
import RelayPlugin from "@pothos/plugin-relay";
import type { GatewayContext } from "../context.ts";
import { UpstreamError } from "../errors.ts";
import { inputLimitsPlugin } from "../security/input-limits.ts";
import { decodeGlobalId, encodeGlobalId } from "./global-id.ts";

/** The builder: plugins and options only; every type lives in its own file (see index.ts). */
export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  Scalars: {
    DateTime: { Input: string; Output: string };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
}>({
  // Fields are non-null unless they say otherwise, as the schema contract is written.
  defaultFieldNullability: false,
  // Input limits last, so that they run inside the errors plugin: a refused mutation input is a
  // ValidationError member of the result union.
  plugins: [ErrorsPlugin, RelayPlugin, DataloaderPlugin, inputLimitsPlugin],
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    edgesFieldOptions: { nullable: false },
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
    // node and nodes are defined in node.ts, where a malformed or foreign id is a BAD_USER_INPUT error.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  errors: {
    directResult: true,
    // Every mutation calls a provider, which can fail; a mutation lists the errors its input can cause.
    defaultTypes: [UpstreamError],
    // `createContact` → `CreateContactResult`, as the schema contract names the result unions.
    defaultUnionOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Result` },
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** The builder's schema types, for helpers that take Pothos field builders or refs. */
export type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
