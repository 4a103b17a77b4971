import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl p-8">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-slate-600 dark:text-slate-400">There is no page at this address.</p>
      <Link className="mt-4 inline-block text-amber-600 underline" href="/">
        Back to the dashboard
      </Link>
    </main>
  );
}
