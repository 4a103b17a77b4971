/** Maps a value range onto pixels (SVG y grows downward, so pass the range reversed for values). */
export function linearScale(domain: [number, number], range: [number, number]): (value: number) => number {
  const [d0, d1] = domain[0] === domain[1] ? [domain[0] - 1, domain[1] + 1] : domain;
  return (value) => range[0] + ((value - d0) / (d1 - d0)) * (range[1] - range[0]);
}

/** At most `max` points, evenly sampled, always keeping the first and the last. */
export function thin<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const step = points.length / max;
  const kept: T[] = [];
  for (let index = 0; index < max - 1; index++) kept.push(points[Math.floor(index * step)]);
  kept.push(points[points.length - 1]);
  return kept;
}
