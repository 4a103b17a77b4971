export * from "./limits";
export * from "./check";
export * from "./gate";
export * from "./exposure";
export * from "./guardian";
export * from "./flat-by";
