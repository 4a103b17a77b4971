export * from "./exchanges";
export * from "./calendar";
