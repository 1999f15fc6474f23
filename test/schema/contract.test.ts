import { readFileSync } from "node:fs";
import {
  type DefinitionNode,
  type FieldDefinitionNode,
  type InputValueDefinitionNode,
  Kind,
  parse,
  print,
} from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/schema/index.ts";

/**
 * Holds the built schema to the public contract (test/fixtures/design-contract.graphql, DESIGN.md's
 * contract as SDL): every type, field, argument and enum value it names exists with the same type.
 * The documented deviations, which DESIGN.md's "Nullability the contract allows" permits: the root
 * connections, the records of mutation successes, and the fields that make an upstream call of
 * their own are nullable (docs/graph.md).
 */

const contract = parse(readFileSync(new URL("../fixtures/design-contract.graphql", import.meta.url), "utf8"));
/** Nullable where the contract prints `!`, for the reasons docs/graph.md gives. */
const DOCUMENTED_NULLABLE = new Set([
  // Root connections: one provider failing leaves the others' data in the response.
  "Query.companies",
  "Query.contactEntries",
  "Query.contacts",
  // A success's record: reading what is selected under it can fail after the write landed.
  "CreateCompanySuccess.company",
  // Partial results: a field with an upstream call of its own fails alone, not its page.
  "Company.contactEntries",
  "MoneybirdContact.additionalCharges",
]);

type Named = { name: { value: string } };
const named = (definition: DefinitionNode): definition is DefinitionNode & Named => "name" in definition;

function schemaFields(typeName: string) {
  const type = schema.getType(typeName);
  if (!type || !("getFields" in type)) throw new Error(`${typeName} is missing or has no fields`);
  return type.getFields() as Record<
    string,
    { type: unknown; args?: readonly { name: string; type: unknown }[] }
  >;
}

function expectField(typeName: string, field: FieldDefinitionNode | InputValueDefinitionNode) {
  const actual = schemaFields(typeName)[field.name.value];
  const where = `${typeName}.${field.name.value}`;
  expect(actual, `${where} is missing`).toBeDefined();
  const wanted = print(field.type);
  expect(String(actual?.type), where).toBe(
    DOCUMENTED_NULLABLE.has(where) ? wanted.replace(/!$/, "") : wanted,
  );
  for (const argument of "arguments" in field ? (field.arguments ?? []) : []) {
    const actualArgument = actual?.args?.find((arg) => arg.name === argument.name.value);
    expect(actualArgument, `${where}(${argument.name.value}) is missing`).toBeDefined();
    expect(String(actualArgument?.type), `${where}(${argument.name.value})`).toBe(print(argument.type));
  }
}

describe("the public schema contract", () => {
  const definitions = contract.definitions.filter(named);

  it.each(definitions.map((definition) => [definition.name.value, definition] as const))(
    "%s",
    (name, definition) => {
      const type = schema.getType(name);
      expect(type, `${name} is missing`).toBeDefined();
      switch (definition.kind) {
        case Kind.OBJECT_TYPE_DEFINITION:
        case Kind.INTERFACE_TYPE_DEFINITION: {
          const interfaces = (type as unknown as { getInterfaces(): { name: string }[] })
            .getInterfaces()
            .map((i) => i.name);
          for (const implemented of definition.interfaces ?? [])
            expect(interfaces).toContain(implemented.name.value);
          for (const field of definition.fields ?? []) expectField(name, field);
          break;
        }
        case Kind.INPUT_OBJECT_TYPE_DEFINITION:
          for (const field of definition.fields ?? []) expectField(name, field);
          break;
        case Kind.ENUM_TYPE_DEFINITION: {
          const values = (type as unknown as { getValues(): { name: string }[] })
            .getValues()
            .map((value) => value.name);
          for (const value of definition.values ?? []) expect(values).toContain(value.name.value);
          break;
        }
      }
    },
  );

  it("allows a deviation only where the contract prints a non-null field", () => {
    const nonNull = new Set(
      contract.definitions.flatMap((definition) =>
        named(definition) && "fields" in definition
          ? (definition.fields ?? [])
              .filter((field) => field.type.kind === Kind.NON_NULL_TYPE)
              .map((field) => `${definition.name.value}.${field.name.value}`)
          : [],
      ),
    );
    expect([...DOCUMENTED_NULLABLE].filter((where) => !nonNull.has(where))).toEqual([]);
  });

  it("every mutation answers a union of its XSuccess and error types only", () => {
    const mutation = contract.definitions.find(
      (definition) => definition.kind === Kind.OBJECT_TYPE_DEFINITION && definition.name.value === "Mutation",
    );
    const fields = mutation && "fields" in mutation ? (mutation.fields ?? []) : [];
    expect(fields.length).toBe(19);
    for (const field of fields) {
      const union = schema.getType(
        `${field.name.value.charAt(0).toUpperCase()}${field.name.value.slice(1)}Result`,
      );
      const members = (
        union as unknown as { getTypes(): { name: string; getInterfaces(): { name: string }[] }[] }
      ).getTypes();
      const success = `${field.name.value.charAt(0).toUpperCase()}${field.name.value.slice(1)}Success`;
      expect(members.map((member) => member.name)).toContain(success);
      for (const member of members.filter((m) => m.name !== success)) {
        expect(member.getInterfaces().map((i) => i.name)).toContain("Error");
      }
    }
  });
});
