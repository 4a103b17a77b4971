import { formatPrice } from "../format";
import { linearScale, thin } from "./scale";

export interface LinePoint {
  time: number;
  value: number;
}

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 16, right: 16, bottom: 28, left: 64 };
const MAX_POINTS = 600;

/** A server-rendered SVG line over time with a zero line, plus its data as a table. */
export function LineChart({ points, title, formatTime }: { points: readonly LinePoint[]; title: string; formatTime: (time: number) => string }) {
  if (points.length < 2) return <p className="text-sm text-slate-500">Nothing to chart on this day.</p>;
  const shown = thin(points, MAX_POINTS);
  const values = shown.map((point) => point.value).concat(0);
  const x = linearScale([shown[0].time, shown[shown.length - 1].time], [PAD.left, WIDTH - PAD.right]);
  const y = linearScale([Math.min(...values), Math.max(...values)], [HEIGHT - PAD.bottom, PAD.top]);
  const path = shown.map((point, index) => `${index === 0 ? "M" : "L"}${x(point.time).toFixed(1)},${y(point.value).toFixed(1)}`).join("");
  const last = points[points.length - 1];
  return (
    <figure className="flex flex-col gap-2">
      <svg role="img" aria-label={`${title}: ends at ${formatPrice(last.value)}`} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="w-full max-w-3xl" data-testid="equity-chart">
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} className="stroke-slate-400" strokeWidth={1} />
        <path d={path} fill="none" className="stroke-sky-600" strokeWidth={1.5} />
        <text x={PAD.left} y={HEIGHT - 8} className="fill-current text-[10px]">
          {formatTime(shown[0].time)}
        </text>
        <text x={WIDTH - PAD.right} y={HEIGHT - 8} textAnchor="end" className="fill-current text-[10px]">
          {formatTime(last.time)}
        </text>
      </svg>
      <details className="text-sm">
        <summary>Equity curve data ({points.length} points)</summary>
        <table className="text-left" aria-label={`${title} data`}>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col" className="text-right">Value</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((point, index) => (
              <tr key={index}>
                <td>{formatTime(point.time)}</td>
                <td className="text-right tabular-nums">{formatPrice(point.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
