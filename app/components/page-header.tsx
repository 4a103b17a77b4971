import Link from "next/link";

/** A page's title, with the way back to the dashboard. */
export function PageHeader({ title }: { title: string }) {
  return (
    <header className="flex items-baseline justify-between">
      <h1 className="text-2xl font-semibold">{title}</h1>
      <Link href="/" className="underline">
        Back to the dashboard
      </Link>
    </header>
  );
}
