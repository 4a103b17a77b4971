import type { Metadata } from "next";
import Link from "next/link";
import { requirePageSession } from "@/lib/auth";
import { auditQuery } from "@/lib/auth/audit-query";
import { describeZodError } from "@/lib/auth/http";
import { formatInstant } from "@/lib/auth/ui/security/format";
import { listAudit } from "@/lib/services/audit";
import { getAppContext } from "@/lib/runtime/context";
import { TableHead } from "@/app/components/table-head";
import { PageHeader } from "@/app/components/page-header";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log · Kestrel" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Who did what, when, from where: sign-ins, token changes, flattens, halts. Filter by day; export CSV. */
export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  await requirePageSession("read");
  const raw = Object.fromEntries(Object.entries(await searchParams).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== ""));
  const parsed = auditQuery.safeParse(raw);
  const query = parsed.success ? parsed.data : { format: "json" as const };
  const page = await listAudit(getAppContext().prisma, { ...query, limit: query.limit ?? 100 });
  const filter = new URLSearchParams(Object.entries({ from: raw.from, to: raw.to }).filter((entry): entry is [string, string] => Boolean(entry[1])));
  const csvHref = `/api/audit?${new URLSearchParams([...filter, ["format", "csv"]])}`;
  const nextHref = page.nextCursor ? `/audit?${new URLSearchParams([...filter, ["cursor", page.nextCursor]])}` : null;

  return (
    <main className="mx-auto flex max-w-6xl flex-col gap-6 px-4 py-8">
      <PageHeader title="Audit log" />
      <form method="get" action="/audit" className="flex flex-wrap items-end gap-3" aria-label="Filter the audit log">
        <DateField name="from" label="From (UTC day)" value={raw.from} />
        <DateField name="to" label="To (UTC day, included)" value={raw.to} />
        <button type="submit" className="rounded bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800">
          Filter
        </button>
        <a href={csvHref} className="rounded border border-slate-300 px-4 py-2 dark:border-slate-700" download>
          Export CSV
        </a>
      </form>
      {!parsed.success && (
        <p role="alert" className="text-rose-700 dark:text-rose-400">
          Filter ignored: {describeZodError(parsed.error)}
        </p>
      )}
      <table className="w-full text-left text-sm" aria-label="Audit entries">
        <TableHead columns={["When", "Who", "Source", "Action", "Result", "IP", "Details"]} />
        <tbody>
          {page.rows.map((row) => (
            <tr key={row.id} data-testid="audit-row" className="border-t border-slate-200 align-top dark:border-slate-800">
              <td className="whitespace-nowrap">{formatInstant(row.at)}</td>
              <td>{row.actor}</td>
              <td>{row.source}</td>
              <td className="font-mono">{row.action}</td>
              <td>{row.result}</td>
              <td className="font-mono">{row.ip ?? ""}</td>
              <td className="max-w-md break-all font-mono text-xs">{row.details === null ? "" : JSON.stringify(row.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.rows.length === 0 && <p>No entries in this period.</p>}
      {nextHref && (
        <Link href={nextHref} className="self-start underline">
          Older entries
        </Link>
      )}
    </main>
  );
}

function DateField({ name, label, value }: { name: string; label: string; value?: string }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={`audit-${name}`} className="text-sm font-medium">
        {label}
      </label>
      <input id={`audit-${name}`} name={name} type="date" defaultValue={value?.slice(0, 10)} className="rounded border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-900" />
    </div>
  );
}
