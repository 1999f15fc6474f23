export * from "./address.ts";
export * from "./change.ts";
export * from "./common.ts";
export * from "./contact.ts";
export * from "./freeagent.ts";
export * from "./moneybird.ts";
export * from "./productive.ts";
export * from "./search.ts";
