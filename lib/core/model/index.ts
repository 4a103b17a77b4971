export * from "./decimal";
export * from "./instrument";
export * from "./rounding";
export * from "./order";
export * from "./fill";
export * from "./position";
export * from "./portfolio";
export * from "./commission";
