"use client";

import { Area, AreaChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface SeriesPoint {
  time: number;
  [series: string]: number;
}

const dateOf = (time: number) => new Date(time).toISOString().slice(0, 10);

/** One or more lines over time (recharts); loaded with next/dynamic. */
export default function SeriesChart({
  points,
  lines,
  label,
  area = false,
  format = (value: number) => value.toFixed(2),
}: {
  points: SeriesPoint[];
  lines: { key: string; name: string; colour: string }[];
  label: string;
  area?: boolean;
  format?: (value: number) => string;
}) {
  const axes = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="#94a3b833" />
      <XAxis dataKey="time" type="number" domain={["dataMin", "dataMax"]} tickFormatter={dateOf} fontSize={11} />
      <YAxis tickFormatter={format} width={80} fontSize={11} />
      <Tooltip labelFormatter={(time) => dateOf(Number(time))} formatter={(value) => format(Number(value))} />
    </>
  );
  return (
    <figure role="img" aria-label={label} className="h-64 w-full">
      <ResponsiveContainer width="100%" height="100%">
        {area ? (
          <AreaChart data={points}>
            {axes}
            {lines.map((line) => (
              <Area key={line.key} dataKey={line.key} name={line.name} stroke={line.colour} fill={line.colour} fillOpacity={0.25} isAnimationActive={false} dot={false} />
            ))}
          </AreaChart>
        ) : (
          <LineChart data={points}>
            {axes}
            {lines.map((line) => (
              <Line key={line.key} dataKey={line.key} name={line.name} stroke={line.colour} isAnimationActive={false} dot={false} />
            ))}
          </LineChart>
        )}
      </ResponsiveContainer>
    </figure>
  );
}
