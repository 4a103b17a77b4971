"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { ThemeToggle } from "./theme-toggle";

const LINKS = [
  { href: "/", label: "Overview" },
  { href: "/pnl", label: "P&L" },
  { href: "/strategies", label: "Strategies" },
  { href: "/backtest", label: "Backtest" },
  { href: "/risk", label: "Risk" },
  { href: "/reports", label: "Reports" },
  { href: "/research", label: "Research" },
  { href: "/rl", label: "RL models" },
  { href: "/audit", label: "Audit" },
  { href: "/settings/discord", label: "Discord" },
  { href: "/settings/security", label: "Security" },
];

const HIDDEN_ON = ["/login", "/setup", "/invite"];

export function MainNav() {
  const path = usePathname() ?? "/";
  if (HIDDEN_ON.some((prefix) => path.startsWith(prefix))) return null;
  const current = (href: string) => (href === "/" ? path === "/" : path.startsWith(href));
  return (
    <nav aria-label="Main" className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900 print:hidden">
      <div className="mx-auto flex max-w-7xl items-center gap-1 overflow-x-auto px-2 text-sm sm:px-4">
        {LINKS.map((link) => (
          <Link
            key={link.href}
            href={link.href}
            aria-current={current(link.href) ? "page" : undefined}
            className={`whitespace-nowrap px-3 py-2 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 ${current(link.href) ? "border-b-2 border-sky-600 font-semibold" : "text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100"}`}
          >
            {link.label}
          </Link>
        ))}
        <span className="ml-auto pl-2">
          <ThemeToggle />
        </span>
      </div>
    </nav>
  );
}
