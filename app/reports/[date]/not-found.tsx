import Link from "next/link";

/** A URL date that is not a YYYY-MM-DD calendar date, or lies outside the exchange calendar's years. */
export default function ReportNotFound() {
  return (
    <main className="mx-auto flex max-w-xl flex-col gap-4 px-4 py-16">
      <h1 className="text-2xl font-semibold">No such report</h1>
      <p role="alert">The date in the address must be a calendar date written YYYY-MM-DD, within the years the exchange calendar covers.</p>
      <Link href="/reports" className="underline">
        All daily reports
      </Link>
    </main>
  );
}
