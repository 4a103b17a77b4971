import type { Metadata } from "next";
import { requirePageSession } from "@/lib/auth";
import type { CurvePoint, StoredModel } from "@/lib/rl/model-store";
import { RollbackButton } from "./rollback-button";
import { modelStore } from "./store";
import { TableHead } from "@/app/components/table-head";
import { PageHeader } from "@/app/components/page-header";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "RL policies · Kestrel" };

/** Trained policies, their versions and training curves, and a rollback to the previous version. */
export default async function RlPage() {
  await requirePageSession("read");
  const store = modelStore();
  const models = store.list();
  return (
    <main className="mx-auto flex max-w-6xl flex-col gap-6 px-4 py-8">
      <PageHeader title="RL policies" />
      {models.length === 0 && (
        <p>
          No trained policy yet. Train one with <code>npm run rl:train -- --data FILE.csv --steps N --seed S --out models/NAME</code>.
        </p>
      )}
      {models.map((model) => (
        <ModelSection key={model.name} model={model} curve={model.manifest.current === null ? [] : store.curve(model.name, model.manifest.current)} />
      ))}
    </main>
  );
}

function ModelSection({ model, curve }: { model: StoredModel; curve: CurvePoint[] }) {
  const { current, versions } = model.manifest;
  const hasEarlier = versions.some((entry) => entry.accepted && current !== null && entry.version < current);
  return (
    <section aria-label={`Model ${model.name}`} className="flex flex-col gap-3 rounded border border-slate-200 p-4 dark:border-slate-800">
      <div className="flex items-baseline justify-between">
        <h2 className="text-xl font-medium">
          {model.name} <span className="text-sm text-slate-500">current version {current ?? "none"}</span>
        </h2>
        <RollbackButton model={model.name} disabled={!hasEarlier} />
      </div>
      <TrainingCurve points={curve} />
      <table className="w-full text-left text-sm" aria-label={`Versions of ${model.name}`}>
        <TableHead columns={["Version", "Created", "Status", "Note", "Evaluation"]} />
        <tbody>
          {[...versions].reverse().map((entry) => (
            <tr key={entry.version} className="border-t border-slate-200 dark:border-slate-800">
              <td>v{entry.version}</td>
              <td>{entry.createdAt.replace("T", " ").slice(0, 16)} UTC</td>
              <td>{entry.version === current ? "current" : entry.accepted ? "kept" : "rejected"}</td>
              <td>{entry.note}</td>
              <td>{typeof entry.evaluation?.verdict === "string" ? entry.evaluation.verdict : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const WIDTH = 640;
const HEIGHT = 160;

/** Return per episode with a 20-episode moving average, as an inline SVG. */
function TrainingCurve({ points }: { points: CurvePoint[] }) {
  if (points.length < 2) return <p className="text-sm text-slate-500">No training curve for this version.</p>;
  const values = points.map((point) => point.return);
  const smooth = values.map((_, i) => {
    const window = values.slice(Math.max(0, i - 19), i + 1);
    return window.reduce((sum, x) => sum + x, 0) / window.length;
  });
  const [low, high] = [Math.min(...values), Math.max(...values)];
  const x = (i: number) => (i / (points.length - 1)) * WIDTH;
  const y = (v: number) => HEIGHT - ((v - low) / (high - low || 1)) * HEIGHT;
  const line = (series: number[]) => series.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  return (
    <figure>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-40 w-full" role="img" aria-label={`Training curve: ${points.length} episodes, last average return ${smooth[smooth.length - 1].toFixed(2)}`}>
        {low < 0 && high > 0 && <line x1={0} x2={WIDTH} y1={y(0)} y2={y(0)} className="stroke-slate-400" strokeDasharray="4 4" />}
        <polyline points={line(values)} fill="none" className="stroke-sky-300" strokeWidth={1} />
        <polyline points={line(smooth)} fill="none" className="stroke-sky-700" strokeWidth={2} />
      </svg>
      <figcaption className="text-sm text-slate-500">
        Return per episode (percent of starting capital) over {points.length} episodes and {points[points.length - 1].steps.toLocaleString("en-US")} steps; dark line: 20-episode average.
      </figcaption>
    </figure>
  );
}
