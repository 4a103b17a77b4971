/** Paper or live, on every page, impossible to miss. */
export function ModeBanner({ mode }: { mode: "paper" | "live" | null }) {
  const style =
    mode === "live" ? "bg-rose-600 text-white" : mode === "paper" ? "bg-amber-300 text-amber-950" : "bg-slate-700 text-white";
  const text = mode === "live" ? "LIVE TRADING — REAL MONEY" : mode === "paper" ? "PAPER TRADING" : "TRADING MODE UNKNOWN";
  return (
    <div role="status" aria-label="Trading mode" className={`px-4 py-1.5 text-center text-sm font-bold tracking-widest ${style}`}>
      {text}
    </div>
  );
}
