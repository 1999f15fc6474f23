import { print } from "graphql";
import {
  CompanyListDocument,
  type CompanyListQuery,
  ContactDetailDocument,
  type ContactDetailQuery,
  CreateCompanyDocument,
  type CreateCompanyMutation,
  type CreateCompanyMutationVariables,
} from "./generated/graphql.ts";

/**
 * How a frontend uses the generated types. It exists to be typechecked: a schema change that
 * breaks these operations or their result shapes fails `npm run typecheck` in CI.
 */

export const documents = {
  companyList: print(CompanyListDocument),
  contactDetail: print(ContactDetailDocument),
  createCompany: print(CreateCompanyDocument),
};

/** `companies` is null only when Productive failed; the error is then in the response's `errors`. */
export function companyNames(data: CompanyListQuery): string[] {
  return data.companies?.edges.map((edge) => edge.node.name) ?? [];
}

export function contactHeadline(data: ContactDetailQuery): string | null {
  const node = data.node;
  if (!node) return null;
  switch (node.__typename) {
    case "MoneybirdContact":
      return `${node.displayName} (Moneybird ${node.customerId ?? "?"}, ${node.contactPersons.totalCount ?? 0} people)`;
    case "FreeAgentContact":
      return `${node.displayName} (FreeAgent, ${node.status ?? "unknown status"})`;
    default:
      return node.id;
  }
}

/** Every member of the result union is handled; a new member makes this fail to typecheck. */
export function describeCreateCompany(result: CreateCompanyMutation["createCompany"]): string {
  switch (result.__typename) {
    case "CreateCompanySuccess":
      // The company is null only when reading it back failed; the create itself landed.
      return result.company ? `created ${result.company.name} (${result.company.id})` : "created";
    case "ValidationError":
      return result.fieldErrors.map((error) => `${error.path.join(".")}: ${error.message}`).join("; ");
    case "UpstreamError":
      return `${result.provider} ${result.code}: ${result.message}`;
    default: {
      const unhandled: never = result;
      return unhandled;
    }
  }
}

export const exampleCreateCompany: CreateCompanyMutationVariables = {
  input: { name: "ACME Comp.", domain: "acme.example", tags: ["partner"] },
};
