import { blockFieldSuggestionsPlugin } from "@escape.tech/graphql-armor-block-field-suggestions";
import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import type { Plugin } from "graphql-yoga";

/**
 * Production's default (INTROSPECTION unset): the schema is not handed to whoever asks. Clients
 * are built from schema.graphql, so they lose nothing; a prober gets no introspection, and no
 * "Did you mean" in errors, which would spell the schema out one typo at a time.
 */
export function useConcealedSchema(): Plugin[] {
  return [useDisableIntrospection(), blockFieldSuggestionsPlugin({ mask: "" }), useNoOtherSuggestions()];
}

/**
 * GraphQL Armor hides `Did you mean "name"?` in validation errors. graphql-js suggests in forms
 * its pattern misses, and outside validation: `Did you mean the enum value "ACTIVE"?`, `Did you
 * mean to use an inline fragment on "MoneybirdContact"?`, and the suggestions of variable
 * coercion, which fails in execution. This removes those too.
 */
function useNoOtherSuggestions(): Plugin {
  return {
    onValidate:
      () =>
      ({ valid, result }) => {
        if (!valid) result.forEach(removeSuggestion);
      },
    onExecute: () => ({
      onExecuteDone: ({ result }) => {
        if (!(Symbol.asyncIterator in result)) result.errors?.forEach(removeSuggestion);
      },
    }),
  };
}

/**
 * In place, as Armor does: validation errors are cached with their document, and stay hidden there
 * too. Down the `originalError` chain, since error masking may answer with an inner error.
 */
function removeSuggestion(error: Error): void {
  let cause: Error | undefined = error;
  while (cause) {
    cause.message = cause.message.replace(/\s*Did you mean [^?]*\?/g, "");
    cause = (cause as { originalError?: Error }).originalError;
  }
}
