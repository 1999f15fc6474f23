import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createSchema, createYoga } from "graphql-yoga";

/**
 * The ceiling: plain graphql-yoga with the gateway's schema (schema.graphql) whose root fields
 * answer, from memory, what the gateway answered for the same operation (captured by the bench,
 * keyed by operation name), so the response has the same shape and bytes. What the gateway costs
 * beyond this is its own work: auth, limits, logging, loaders, upstream calls and mapping.
 * Abstract types resolve by the captured `__typename`, which every operation selects.
 */

type Captured = Record<string, Record<string, unknown>>;
const captured = JSON.parse(readFileSync(process.env.CEILING_RESPONSES ?? "", "utf8")) as Captured;

const fromMemory = (
  _parent: unknown,
  _args: unknown,
  _context: unknown,
  info: { fieldName: string; operation: { name?: { value: string } } },
) => captured[info.operation.name?.value ?? ""]?.[info.fieldName];

const yoga = createYoga({
  schema: createSchema({
    typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
    resolvers: {
      Query: { companies: fromMemory, contactEntries: fromMemory, contacts: fromMemory, nodes: fromMemory },
      Mutation: { createCompany: fromMemory },
    },
  }),
  graphiql: false,
  landingPage: false,
  logging: false,
});

createServer(yoga).listen(Number(process.env.PORT), "127.0.0.1");
