import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The test runner would give the code under test graphql's ESM build, while Pothos and yoga
    // (loaded by Node) get its CommonJS one: two realms, and a schema mixing their directives or
    // types is refused. Node (npm start, production) resolves one build for all; so do tests.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve("graphql") }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
