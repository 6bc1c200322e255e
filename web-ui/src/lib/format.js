// Shared formatting of sizes, times and durations, so every page says them the same way.

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Number(n);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** '3 min ago', 'in 2 h': relative to now, for last-seen and expiry. */
export function relative(iso, now = Date.now()) {
  if (!iso) return '—';
  const ms = new Date(iso).getTime() - now;
  const abs = Math.abs(ms);
  const steps = [[1000, 's'], [60_000, 'min'], [3_600_000, 'h'], [86_400_000, 'd']];
  let [size, unit] = steps[0];
  for (const step of steps) if (abs >= step[0]) [size, unit] = step;
  const amount = Math.round(abs / size);
  if (abs < 5000) return 'just now';
  return ms < 0 ? `${amount} ${unit} ago` : `in ${amount} ${unit}`;
}

/** Seconds to '1 h 02 min', '42 s'. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export function percent(value, digits = 1) {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(digits)} %`;
}

export const shortDigest = sha256 => (sha256 ? `${sha256.slice(0, 12)}…` : '—');
