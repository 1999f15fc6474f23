import type {
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNamedType,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLType,
  GraphQLUnionType,
} from "graphql";

/**
 * graphql's own predicates (isObjectType, getNamedType, …) use instanceof, which is false for the
 * schema's types when this module got another build of graphql than Pothos did: Node loads the
 * CommonJS build for both, but the test runner hands src/ the ESM one. Every graphql type names
 * its class in Symbol.toStringTag, whichever build made it.
 */
const classOf = (type: unknown) => Object.prototype.toString.call(type).slice("[object ".length, -1);

export const isList = (type: GraphQLType): type is GraphQLList<GraphQLType> =>
  classOf(type) === "GraphQLList";

export const isNonNull = (type: GraphQLType): type is GraphQLNonNull<GraphQLType> =>
  classOf(type) === "GraphQLNonNull";

export const isInputObject = (type: GraphQLType): type is GraphQLInputObjectType =>
  classOf(type) === "GraphQLInputObjectType";

/** An object or interface type: one with fields to select. */
export const hasFields = (type: GraphQLType): type is GraphQLObjectType | GraphQLInterfaceType =>
  classOf(type) === "GraphQLObjectType" || classOf(type) === "GraphQLInterfaceType";

/** A type with a selection of its own: an object, interface or union. */
export const isComposite = (
  type: GraphQLType,
): type is GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType =>
  hasFields(type) || classOf(type) === "GraphQLUnionType";

/** The type inside its lists and non-nulls. */
export function namedType(type: GraphQLType): GraphQLNamedType {
  let inner = type;
  while (isList(inner) || isNonNull(inner)) inner = inner.ofType;
  return inner;
}

/** Whether the field returns a list (non-null or not). */
export const returnsList = (type: GraphQLType) => isList(isNonNull(type) ? type.ofType : type);
