import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * Typed documents (client preset) for the example operations: what a frontend team generates.
 * CI runs it and typechecks examples/, so a schema change that breaks these clients fails CI.
 * It also writes examples/generated/persisted-documents.json, the manifest of trusted documents a
 * gateway started with PERSISTED_DOCUMENTS runs by id (docs/production.md § Trusted documents):
 * sha256, which the gateway checks each entry against.
 */
const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["examples/operations/*.graphql"],
  emitLegacyCommonJSImports: false,
  ignoreNoDocuments: false,
  generates: {
    "examples/generated/": {
      preset: "client",
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: "sha256" } },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: "string", JSON: "unknown" } },
    },
  },
};

export default config;
