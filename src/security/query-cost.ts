import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLUnionType,
  getOperationAST,
  Kind,
  type SelectionSetNode,
  valueFromASTUntyped,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../domain/common.ts";
import { hasFields, isComposite, namedType, returnsList } from "./graphql-types.ts";
import { formatCount } from "./limits.ts";
import { queryTooComplex } from "./query-too-complex.ts";

type CompositeType = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType;

/**
 * The cost of an operation: the most records (objects of a type that implements Node) its
 * response can hold, which is what its time and memory grow with. Every record read costs 1 and
 * is multiplied by the lists around it:
 * - a field with a `first` argument (a connection) reads `first` records (the page size, 20, when
 *   absent; at most 100, beyond which the resolver refuses): its `edges` are that page, and each
 *   edge's `node` is a record already counted;
 * - `nodes(ids:)` reads one record per id;
 * - any other list of objects (a contact's notes) is taken to hold a page's worth, 20;
 * - a field returning one record (`node`, an entry's `company`) reads 1;
 * - scalars, enums, and objects that are not records (addresses, page info, result unions) cost
 *   nothing of their own; introspection (`__schema`, `__type`, `__typename`) costs nothing.
 * A fragment or inline fragment costs its selection once per place it is spread, and the
 * selections of every type condition add up (an upper bound: an object is of one type only).
 */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> = {},
): number {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;

  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const given = variables[name];
    values[name] =
      given === undefined && definition.defaultValue ? valueFromASTUntyped(definition.defaultValue) : given;
  }
  const argument = (field: FieldNode, name: string) => {
    const node = field.arguments?.find((arg) => arg.name.value === name);
    return node ? valueFromASTUntyped(node.value, values) : undefined;
  };

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // Each fragment is walked once per placement: fragments that each spread the next one twice
  // would otherwise make this walk itself exponential in the document's size.
  const fragmentCosts = new Map<string, number>();

  const selectionCost = (
    selectionSet: SelectionSetNode | undefined,
    type: CompositeType,
    placement: Placement,
  ): number => {
    let cost = 0;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        cost += fieldCost(selection, type, placement);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition && schema.getType(selection.typeCondition.name.value);
        cost += selectionCost(selection.selectionSet, compositeOr(condition, type), placement);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) continue;
        const key = `${selection.name.value}:${placement}`;
        let fragmentCost = fragmentCosts.get(key);
        if (fragmentCost === undefined) {
          const condition = schema.getType(fragment.typeCondition.name.value);
          fragmentCost = selectionCost(fragment.selectionSet, compositeOr(condition, type), placement);
          fragmentCosts.set(key, fragmentCost);
        }
        cost += fragmentCost;
      }
    }
    return cost;
  };

  const fieldCost = (field: FieldNode, parent: CompositeType, placement: Placement): number => {
    if (field.name.value.startsWith("__")) return 0;
    const definition = hasFields(parent) ? parent.getFields()[field.name.value] : undefined;
    const type = definition && namedType(definition.type);
    if (!definition || !type || !isComposite(type)) return 0;
    const isList = returnsList(definition.type);

    if (definition.args.some((arg) => arg.name === "first")) {
      const pageSize = pageSizeOf(argument(field, "first"));
      return pageSize * (1 + selectionCost(field.selectionSet, type, isList ? "plain" : "connection"));
    }
    // A connection's `edges` are the page its field already counted, and each edge's node a record of it.
    if (isList && placement === "connection") return selectionCost(field.selectionSet, type, "edge");
    const own = isRecord(type) && placement !== "edge" ? 1 : 0;
    if (!isList) return own + selectionCost(field.selectionSet, type, "plain");
    const ids = argument(field, "ids");
    const items = ids === undefined ? DEFAULT_PAGE_SIZE : Array.isArray(ids) ? ids.length : 1;
    return items * (own + selectionCost(field.selectionSet, type, "plain"));
  };

  return selectionCost(operation.selectionSet, root, "plain");
}

/** Where selections sit, which decides what their lists and records count: see `queryCost`. */
type Placement = "plain" | "connection" | "edge";

/** The records a `first` reads: the resolver's default when absent, and never more than it serves. */
function pageSizeOf(first: unknown): number {
  if (typeof first !== "number" || !Number.isInteger(first)) return DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(first, 0), MAX_PAGE_SIZE);
}

function compositeOr(type: GraphQLNamedType | null | undefined, fallback: CompositeType) {
  return type && isComposite(type) ? type : fallback;
}

/** A record: a type that is, or implements, Node. */
function isRecord(type: CompositeType): boolean {
  if (type.name === "Node") return true;
  return hasFields(type) && type.getInterfaces().some((implemented) => implemented.name === "Node");
}

/**
 * Refuses an operation whose cost exceeds `maxCost` before it runs. At execution, not validation:
 * the cost depends on the variables (`first: $first`), and validation results are cached per
 * document.
 */
export function useQueryCost(maxCost: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const cost = queryCost(
        args.schema,
        args.document,
        args.operationName,
        args.variableValues as Record<string, unknown> | undefined,
      );
      if (cost <= maxCost) return;
      setResultAndStopExecution({
        errors: [
          queryTooComplex(
            "cost",
            `query cost ${formatCount(cost)} exceeds the limit of ${formatCount(maxCost)}: ask for smaller pages (first) or fewer nested lists`,
            maxCost,
          ),
        ],
      });
    },
  };
}
