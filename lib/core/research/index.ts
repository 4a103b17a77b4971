export * from "./parameters";
export * from "./walk-forward";
export * from "./statistics";
export * from "./overfitting";
export * from "./plateau";
export * from "./evaluation";
export * from "./summary";
export * from "./settings";
