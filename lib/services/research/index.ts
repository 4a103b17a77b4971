export * from "./spec";
export * from "./queues";
export * from "./service";
export * from "./worker";
export * from "./code-version";
