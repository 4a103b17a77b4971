import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import "./globals.css";
import { ModeBanner } from "./components/mode-banner";
import { MainNav } from "./components/main-nav";
import { THEME_BOOT_SCRIPT } from "./components/theme-toggle";
import { tradingMode } from "./components/app-services";

export const metadata: Metadata = {
  title: "Kestrel",
  description: "Trading bot and dashboard for Interactive Brokers",
  icons: { icon: "/favicon.svg" },
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  // The mode is the running server's, so no page may be rendered ahead of time with a guess.
  await connection();
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <ModeBanner mode={tradingMode()} />
        <MainNav />
        {children}
      </body>
    </html>
  );
}
