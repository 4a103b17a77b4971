import { formatPrice, pnlClass } from "../format";
import { linearScale } from "./scale";

export interface WaterfallBar {
  label: string;
  value: number;
  from: number;
  to: number;
}

const WIDTH = 720;
const HEIGHT = 260;
const PAD = { top: 16, right: 16, bottom: 56, left: 64 };

/**
 * Realized P&L per trade as a server-rendered SVG waterfall: each bar floats from the running
 * total before the trade to the total after; the last bar is the total from zero. The same
 * numbers follow as a table for screen readers and print.
 */
export function WaterfallChart({ bars, title, currency }: { bars: readonly WaterfallBar[]; title: string; currency: string }) {
  if (bars.length === 0) return <p className="text-sm text-slate-500">No realized P&L on this day.</p>;
  const values = bars.flatMap((bar) => [bar.from, bar.to]).concat(0);
  const y = linearScale([Math.min(...values), Math.max(...values)], [HEIGHT - PAD.bottom, PAD.top]);
  const slot = (WIDTH - PAD.left - PAD.right) / bars.length;
  const total = bars[bars.length - 1];
  return (
    <figure className="flex flex-col gap-2">
      <svg
        role="img"
        aria-label={`${title}: ${bars.length - 1} trades, total ${formatPrice(total.to)} ${currency}`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        className="w-full max-w-3xl"
        data-testid="waterfall-chart"
      >
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} className="stroke-slate-400" strokeWidth={1} />
        <text x={PAD.left - 6} y={y(0) + 4} textAnchor="end" className="fill-current text-[10px]">
          0
        </text>
        {bars.map((bar, index) => {
          const isTotal = index === bars.length - 1;
          const top = y(Math.max(bar.from, bar.to));
          const height = Math.max(Math.abs(y(bar.from) - y(bar.to)), 1);
          const x = PAD.left + index * slot + slot * 0.15;
          const fill = isTotal ? "fill-sky-600" : bar.value >= 0 ? "fill-emerald-600" : "fill-rose-600";
          return (
            <g key={`${bar.label}-${index}`}>
              <rect x={x} y={top} width={slot * 0.7} height={height} className={fill}>
                <title>{`${bar.label}: ${formatPrice(bar.value)}`}</title>
              </rect>
              {bars.length <= 40 && (
                <text x={x + slot * 0.35} y={HEIGHT - PAD.bottom + 12} textAnchor="end" transform={`rotate(-40 ${x + slot * 0.35} ${HEIGHT - PAD.bottom + 12})`} className="fill-current text-[9px]">
                  {bar.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <details className="text-sm">
        <summary>Waterfall data</summary>
        <table className="text-left" aria-label={`${title} data`}>
          <thead>
            <tr>
              <th scope="col">Trade</th>
              <th scope="col" className="text-right">P&L</th>
              <th scope="col" className="text-right">Running total</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((bar, index) => (
              <tr key={`${bar.label}-${index}`}>
                <td>{bar.label}</td>
                <td className={`text-right tabular-nums ${pnlClass(bar.value)}`}>{formatPrice(bar.value)}</td>
                <td className="text-right tabular-nums">{formatPrice(bar.to)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
