import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * Typed documents (client preset) for the example operations: what a frontend team generates.
 * CI runs it and typechecks examples/, so a schema change that breaks these clients fails CI.
 */
const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["examples/operations/*.graphql"],
  emitLegacyCommonJSImports: false,
  ignoreNoDocuments: false,
  generates: {
    "examples/generated/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: "string", JSON: "unknown" } },
    },
  },
};

export default config;
