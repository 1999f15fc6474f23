/** The query GraphiQL opens with: one look at each provider through the graph. */
export const GRAPHIQL_EXAMPLE_QUERY = `# Welcome to the contacts gateway. Press ▶ to run.
# Productive companies with their contact entries,
# then Moneybird and FreeAgent contacts as one list.
query Overview {
  providers {
    provider
    backend
    healthy
  }
  companies(first: 5, orderBy: { field: NAME, direction: ASC }) {
    totalCount
    edges {
      node {
        id
        name
        domain
        status
        tags
        contactEntries(first: 3) {
          edges {
            node { type name email phone website city }
          }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
  contacts(first: 5) {
    edges {
      node {
        id
        provider
        displayName
        email
        address { city country }
        ... on MoneybirdContact {
          customerId
          contactPersons(first: 3) {
            edges { node { firstName lastName email } }
          }
        }
        ... on FreeAgentContact { status accountBalance }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;
