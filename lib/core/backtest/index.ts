export * from "./fill-model";
export * from "./simulated-broker";
export * from "./trades";
export * from "./metrics";
export * from "./run";
export * from "./report";
export * from "./sweep";
