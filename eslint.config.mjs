import nextVitals from "eslint-config-next/core-web-vitals";
import tseslint from "typescript-eslint";

const adapterImports = {
  patterns: [
    { group: ["**/adapters/**", "@/lib/adapters/**"], message: "lib/core is pure: it never imports an adapter." },
    { group: ["**/sim/**", "@/lib/sim/**", "**/services/**", "**/runtime/**"], message: "lib/core is pure: no imports from outer layers." },
    { group: ["node:*", "fs", "path", "net", "os", "child_process", "worker_threads"], message: "lib/core is pure: no Node built-ins." },
    { group: ["@prisma/*", "socket.io*", "@stoqey/ib", "pg", "pino"], message: "lib/core is pure: no I/O libraries." },
  ],
};

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", ".data/**", "lib/generated/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
  ...nextVitals,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["lib/core/**/*.ts"],
    ignores: ["lib/core/**/*.test.ts", "lib/core/**/*.bench.ts"],
    rules: {
      "no-restricted-imports": ["error", adapterImports],
      "no-restricted-globals": ["error", { name: "process", message: "lib/core is pure: configuration is passed in." }],
      "no-restricted-properties": ["error", { object: "Date", property: "now", message: "lib/core takes time from an injected Clock." }],
    },
  },
);
