export * from "./merged-list.ts";
export * from "./ordered-list.ts";
export * from "./write-routing.ts";
