export * from "./types";
export * from "./attribution";
export * from "./replay";
export * from "./summary";
export * from "./series";
export * from "./reconcile";
export * from "./day-report";
