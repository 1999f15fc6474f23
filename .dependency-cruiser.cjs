/**
 * The layering of src/ (README § Architecture), checked by `npm run layering` in CI. Each rule
 * names the layer it keeps apart and why.
 */
const layer = (folder) => `^src/${folder}/`;

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "A cycle makes two modules one: neither can be read, tested or moved alone.",
      from: {},
      to: { circular: true },
    },
    {
      name: "schema-stays-above-the-ports",
      severity: "error",
      comment: "Resolvers reach upstreams and the store only through ports and loaders.",
      from: { path: layer("schema") },
      to: {
        path: [layer("http"), layer("sources"), layer("store"), layer("providers"), "^src/backends\\.ts$"],
      },
    },
    {
      name: "adapters-never-import-the-store",
      severity: "error",
      comment: "The REST adapters and the store are siblings behind the same ports.",
      from: { path: layer("sources") },
      to: { path: [layer("store"), layer("schema"), layer("contacts")] },
    },
    {
      name: "store-never-imports-the-adapters",
      severity: "error",
      comment: "The store shares provider knowledge (src/providers), never adapter code.",
      from: { path: layer("store") },
      to: { path: [layer("sources"), layer("http"), layer("schema"), layer("contacts")] },
    },
    {
      name: "provider-knowledge-is-pure",
      severity: "error",
      comment: "Records, mapping and rules do no I/O: adapters, store and test fakes all import them.",
      from: { path: layer("providers") },
      to: {
        path: [
          layer("http"),
          layer("sources"),
          layer("store"),
          layer("schema"),
          layer("contacts"),
          "^src/config\\.ts$",
        ],
      },
    },
    {
      name: "domain-depends-on-nothing",
      severity: "error",
      comment: "Domain models are plain types every layer shares.",
      from: { path: layer("domain") },
      to: { path: "^src/", pathNot: layer("domain") },
    },
    {
      name: "cross-provider-logic-stays-in-domain-terms",
      severity: "error",
      comment: "src/contacts works on ports and domain models; the schema maps its results.",
      from: { path: layer("contacts") },
      to: { path: [layer("schema"), layer("http"), layer("sources"), layer("store"), layer("providers")] },
    },
    {
      name: "the-mirror-works-on-ports",
      severity: "error",
      comment:
        "src/mirror syncs live ports into the store's MirrorStore port and wraps ports; backends.ts wires the implementations.",
      from: { path: layer("mirror") },
      to: { path: [layer("schema"), layer("sources"), layer("store"), layer("contacts")] },
    },
    {
      name: "http-knows-no-provider",
      severity: "error",
      comment: "The shared upstream layer serves all three adapters alike.",
      from: { path: layer("http") },
      to: {
        path: [layer("sources"), layer("store"), layer("schema"), layer("contacts"), layer("providers")],
      },
    },
    {
      name: "ops-knows-no-data",
      severity: "error",
      comment:
        "Logs, metrics, tracing and readiness see requests, upstream calls and the ports (health), never the graph, adapters or store.",
      from: { path: layer("ops") },
      to: {
        path: [layer("schema"), layer("sources"), layer("store"), layer("contacts"), layer("providers")],
      },
    },
    {
      name: "src-never-imports-tests",
      severity: "error",
      comment: "Tests, scripts, examples and the bench use the gateway; the bench reuses test/fakes.",
      from: { path: "^src/" },
      to: { path: "^(test|scripts|examples|bench)/" },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Generated client types: codegen's output, not code of ours to layer.
    exclude: { path: "^examples/generated/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
