import {
  DirectiveLocation,
  type DocumentNode,
  GraphQLDirective,
  GraphQLError,
  GraphQLInt,
  GraphQLNonNull,
  getDirectiveValues,
  getOperationAST,
  specifiedDirectives,
} from "graphql";

/**
 * `query … @mirror(maxAgeSeconds: 60) { … }`: the operation's reads of a mirrored provider may come
 * from the mirror when its last completed sync round began at most that long ago; otherwise they
 * go live, as without it. One setting per operation, so that every field of a response is read
 * alike (docs/mirror.md).
 */
export const MirrorDirective = new GraphQLDirective({
  name: "mirror",
  description:
    "Lets the operation read mirrored providers from the mirror (MIRROR=on) when their last completed sync began at most maxAgeSeconds ago; older, or never synced, they are read live. The response's extensions.mirror tells each provider read from the mirror and when it was synced.",
  locations: [DirectiveLocation.QUERY],
  args: {
    maxAgeSeconds: {
      type: new GraphQLNonNull(GraphQLInt),
      description: "The oldest sync a read may come from, in seconds (0 or more).",
    },
  },
});

export const SCHEMA_DIRECTIVES = [...specifiedDirectives, MirrorDirective];

/**
 * The operation's `@mirror(maxAgeSeconds:)`, null without one; a negative age is the client's
 * error (BAD_USER_INPUT).
 */
export function mirrorMaxAgeOf(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): number | null {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== "query") return null;
  const values = getDirectiveValues(MirrorDirective, operation, variables ?? {});
  if (!values) return null;
  const maxAge = values.maxAgeSeconds as number;
  if (maxAge < 0) {
    throw new GraphQLError(`@mirror(maxAgeSeconds:) must be 0 or more (got ${maxAge})`, {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  return maxAge;
}
