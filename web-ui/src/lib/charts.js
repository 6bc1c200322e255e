// Hand-made SVG charts (no chart library). Every chart is a <figure> holding an <svg role="img">
// with an aria-label that says what it shows, and a data table in a <details> below it, so a screen
// reader or a keyboard user gets the numbers too. No inline style attributes (the console's CSP
// forbids them): only SVG presentation attributes and the classes in app.css (.chart-*, .series-N).
// Colour is never the only signal: bars carry hatching patterns and value labels, lines carry dash
// patterns and marker shapes, a gauge says its state in words.
import { html, svg, nothing } from './vendor.js';

const SERIES = 6; // .series-0 … .series-5 in app.css; more series reuse them with another pattern
let chartCounter = 0; // unique ids for <pattern> definitions, one set per chart on the page

const fmt = value => (Number.isFinite(value) ? (Math.abs(value) >= 1000 ? Math.round(value).toLocaleString() : String(+value.toFixed(2))) : '—');
const withUnit = (value, unit) => (unit ? `${fmt(value)} ${unit}` : fmt(value));

/** Hatching patterns, one per series index: colour comes from the class, the pattern tells series apart. */
function patterns(prefix) {
  const shapes = [
    svg``, // series 0: solid
    svg`<path d="M0 6 L6 0" class="chart-hatch"></path>`,
    svg`<circle cx="3" cy="3" r="1.2" class="chart-dot"></circle>`,
    svg`<path d="M0 3 H6" class="chart-hatch"></path>`,
    svg`<path d="M0 0 L6 6 M0 6 L6 0" class="chart-hatch"></path>`,
    svg`<path d="M3 0 V6" class="chart-hatch"></path>`,
  ];
  return svg`<defs>${shapes.map((shape, i) => svg`
    <pattern id="${prefix}-p${i}" patternUnits="userSpaceOnUse" width="6" height="6">
      <rect width="6" height="6" class="series-${i}"></rect>${shape}
    </pattern>`)}</defs>`;
}

function figure({ label, width, height, body, table, className = '', summary = label }) {
  return html`<figure class="chart ${className}">
    <svg role="img" aria-label=${label} viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" focusable="false">
      <title>${label}</title>${body}
    </svg>
    <details class="chart-data"><summary>Data table: ${summary}</summary>${table}</details>
  </figure>`;
}

function dataTable(caption, headers, rows) {
  return html`<table><caption class="visually-hidden">${caption}</caption>
    <thead><tr>${headers.map(h => html`<th scope="col">${h}</th>`)}</tr></thead>
    <tbody>${rows.map(row => html`<tr>${row.map((cell, i) => (i === 0 ? html`<th scope="row">${cell}</th>` : html`<td>${cell}</td>`))}</tr>`)}</tbody>
  </table>`;
}

/** A nice round upper bound and step for an axis going from 0 to max. */
function niceScale(max, ticks = 4) {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map(m => m * magnitude).find(s => s >= raw);
  return { top: Math.ceil(max / step) * step, step };
}

const truncate = (text, n) => (String(text).length > n ? `${String(text).slice(0, n - 1)}…` : String(text));

/**
 * Horizontal bar chart: barChart({items: [{label, value}], unit: 'devices', label: 'Devices by state'}).
 * Each bar shows its label on the left and its value on the right.
 */
export function barChart({ items = [], unit = '', label = 'Bar chart' }) {
  const id = `chart${++chartCounter}`;
  const rowH = 26, labelW = 150, valueW = 90, width = 640;
  const height = Math.max(1, items.length) * rowH + 8;
  const max = Math.max(0, ...items.map(i => Number(i.value) || 0));
  const barSpace = width - labelW - valueW;
  const body = svg`${patterns(id)}
    ${items.length === 0 ? svg`<text x="0" y="18" class="chart-empty">No data</text>` : nothing}
    ${items.map((item, i) => {
      const value = Number(item.value) || 0;
      const w = max > 0 ? Math.max(value > 0 ? 2 : 0, (value / max) * barSpace) : 0;
      const y = 4 + i * rowH;
      return svg`<g class="chart-row">
        <text x="${labelW - 8}" y="${y + 16}" text-anchor="end" class="chart-label">${truncate(item.label, 22)}</text>
        <rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 8}" fill="url(#${id}-p${i % SERIES})" class="chart-bar"></rect>
        <text x="${labelW + w + 6}" y="${y + 16}" class="chart-value">${withUnit(value, unit)}</text>
      </g>`;
    })}`;
  const table = dataTable(label, ['Item', unit ? `Value (${unit})` : 'Value'], items.map(i => [i.label, fmt(Number(i.value) || 0)]));
  return figure({ label, width, height, body, table, className: 'chart-bars' });
}

/**
 * Stacked horizontal bars, one per row (per model), segments per part (per version):
 * distribution({rows: [{label: 'kws-small', parts: [{label: '1.2.0', value: 812}, …]}], unit: 'devices', label}).
 * Segments carry their label when wide enough; the legend under each row and the table name them all.
 */
export function distribution({ rows = [], unit = '', label = 'Distribution' }) {
  const id = `chart${++chartCounter}`;
  const labelW = 150, totalW = 90, width = 640, barH = 22, legendH = 18;
  const rowH = barH + legendH + 14;
  const height = Math.max(1, rows.length) * rowH + 4;
  const barSpace = width - labelW - totalW;
  const body = svg`${patterns(id)}
    ${rows.length === 0 ? svg`<text x="0" y="18" class="chart-empty">No data</text>` : nothing}
    ${rows.map((row, r) => {
      const parts = (row.parts || []).map(p => ({ ...p, value: Number(p.value) || 0 }));
      const total = parts.reduce((sum, p) => sum + p.value, 0);
      const y = 4 + r * rowH;
      let x = labelW;
      let legendX = labelW;
      return svg`<g class="chart-row">
        <text x="${labelW - 8}" y="${y + 16}" text-anchor="end" class="chart-label">${truncate(row.label, 22)}</text>
        ${parts.map((part, i) => {
          const w = total > 0 ? (part.value / total) * barSpace : 0;
          const segment = svg`<rect x="${x}" y="${y}" width="${w}" height="${barH}" fill="url(#${id}-p${i % SERIES})" class="chart-segment">
              <title>${part.label}: ${withUnit(part.value, unit)}</title></rect>
            ${w > 48 ? svg`<text x="${x + 4}" y="${y + 15}" class="chart-segment-label">${truncate(part.label, Math.floor(w / 7))}</text>` : nothing}`;
          x += w;
          return segment;
        })}
        <text x="${labelW + barSpace + 6}" y="${y + 16}" class="chart-value">${withUnit(total, unit)}</text>
        ${parts.map((part, i) => {
          const text = `${truncate(part.label, 16)} ${fmt(part.value)}`;
          const item = svg`<g class="chart-legend">
            <rect x="${legendX}" y="${y + barH + 6}" width="10" height="10" fill="url(#${id}-p${i % SERIES})" class="chart-swatch"></rect>
            <text x="${legendX + 14}" y="${y + barH + 15}" class="chart-legend-text">${text}</text></g>`;
          legendX += 14 + text.length * 6.5 + 10;
          return legendX - 10 > labelW + barSpace + totalW ? nothing : item;
        })}
      </g>`;
    })}`;
  const tableRows = rows.flatMap(row => (row.parts || []).map(part => [row.label, part.label, fmt(Number(part.value) || 0)]));
  const table = dataTable(label, ['Row', 'Part', unit ? `Value (${unit})` : 'Value'], tableRows);
  return figure({ label, width, height, body, table, className: 'chart-distribution' });
}

const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 5', '10 4'];
function marker(shape, x, y, cls) {
  switch (shape % 4) {
    case 0: return svg`<circle cx="${x}" cy="${y}" r="3" class="${cls}"></circle>`;
    case 1: return svg`<rect x="${x - 3}" y="${y - 3}" width="6" height="6" class="${cls}"></rect>`;
    case 2: return svg`<path d="M${x} ${y - 4} L${x + 4} ${y + 3} L${x - 4} ${y + 3} Z" class="${cls}"></path>`;
    default: return svg`<path d="M${x} ${y - 4} L${x + 4} ${y} L${x} ${y + 4} L${x - 4} ${y} Z" class="${cls}"></path>`;
  }
}

function timeLabel(t, span) {
  const d = new Date(t);
  if (span > 2 * 86_400_000) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', ...(span < 600_000 ? { second: '2-digit' } : {}) });
}

/**
 * Line chart over time: lineChart({series: [{name, points: [{t, v}]}], yLabel: '% succeeded', label}).
 * t is an ISO string, a Date or epoch milliseconds; v a number. Y starts at 0.
 */
export function lineChart({ series = [], yLabel = '', label = 'Line chart', yMax = null }) {
  const width = 640, height = 260, left = 56, right = 16, top = 12, bottom = 48;
  const all = series.flatMap(s => (s.points || []).map(p => ({ t: new Date(p.t).getTime(), v: Number(p.v) })))
    .filter(p => Number.isFinite(p.t) && Number.isFinite(p.v));
  const tMin = all.length ? Math.min(...all.map(p => p.t)) : Date.now() - 60_000;
  let tMax = all.length ? Math.max(...all.map(p => p.t)) : Date.now();
  if (tMax <= tMin) tMax = tMin + 60_000;
  const { top: vTop, step } = niceScale(yMax ?? Math.max(0, ...all.map(p => p.v)));
  const plotW = width - left - right, plotH = height - top - bottom;
  const xOf = t => left + ((t - tMin) / (tMax - tMin)) * plotW;
  const yOf = v => top + plotH - (v / vTop) * plotH;
  const yTicks = [];
  for (let v = 0; v <= vTop + step / 2; v += step) yTicks.push(v);
  const xTicks = [0, 1, 2, 3, 4].map(i => tMin + ((tMax - tMin) * i) / 4);
  const legendY = height - 10;
  const body = svg`
    <g class="chart-axis">
      ${yTicks.map(v => svg`<line x1="${left}" x2="${width - right}" y1="${yOf(v)}" y2="${yOf(v)}" class="chart-grid"></line>
        <text x="${left - 6}" y="${yOf(v) + 4}" text-anchor="end" class="chart-tick">${fmt(v)}</text>`)}
      ${xTicks.map((t, i) => svg`<text x="${xOf(t)}" y="${top + plotH + 16}" text-anchor="${i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}" class="chart-tick">${timeLabel(t, tMax - tMin)}</text>`)}
      <line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" class="chart-axis-line"></line>
      <line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" class="chart-axis-line"></line>
      <text x="12" y="${top + plotH / 2}" transform="rotate(-90 12 ${top + plotH / 2})" text-anchor="middle" class="chart-tick">${yLabel}</text>
    </g>
    ${all.length === 0 ? svg`<text x="${left + 8}" y="${top + 20}" class="chart-empty">No data yet</text>` : nothing}
    ${series.map((s, i) => {
      const pts = (s.points || []).map(p => ({ t: new Date(p.t).getTime(), v: Number(p.v) }))
        .filter(p => Number.isFinite(p.t) && Number.isFinite(p.v)).sort((a, b) => a.t - b.t);
      const d = pts.map((p, j) => `${j ? 'L' : 'M'}${xOf(p.t).toFixed(1)} ${yOf(p.v).toFixed(1)}`).join(' ');
      const every = Math.max(1, Math.ceil(pts.length / 12));
      return svg`<g class="chart-series">
        ${d ? svg`<path d="${d}" fill="none" stroke-dasharray="${DASHES[i % DASHES.length] || 'none'}" class="chart-line series-${i % SERIES}"></path>` : nothing}
        ${pts.filter((_, j) => j % every === 0 || j === pts.length - 1).map(p => marker(i, xOf(p.t), yOf(p.v), `chart-marker series-${i % SERIES}`))}
      </g>`;
    })}
    ${series.map((s, i) => {
      const x = left + i * 150;
      return svg`<g class="chart-legend">
        <line x1="${x}" x2="${x + 24}" y1="${legendY - 4}" y2="${legendY - 4}" stroke-dasharray="${DASHES[i % DASHES.length] || 'none'}" class="chart-line series-${i % SERIES}"></line>
        ${marker(i, x + 12, legendY - 4, `chart-marker series-${i % SERIES}`)}
        <text x="${x + 30}" y="${legendY}" class="chart-legend-text">${truncate(s.name, 18)}</text></g>`;
    })}`;
  const rows = series.flatMap(s => (s.points || []).map(p => [s.name, new Date(p.t).toLocaleString(), fmt(Number(p.v))]));
  const table = dataTable(label, ['Series', 'Time', yLabel || 'Value'], rows);
  return figure({ label, width, height, body, table, className: 'chart-line-chart' });
}

/**
 * A half-circle gauge: gauge({value, max, label, warnAt, badAt, unit}). warnAt/badAt are values on the
 * same scale (e.g. budget burn in %: warnAt 50, badAt 100); the state is written under the number.
 * With `higherIsBetter: true` the thresholds work downwards (e.g. success %: warnAt 95, badAt 90).
 */
export function gauge({ value, max = 100, label = 'Gauge', warnAt = null, badAt = null, unit = '%', higherIsBetter = false }) {
  const width = 200, height = 130, cx = 100, cy = 104, r = 80;
  const v = Number(value);
  const known = Number.isFinite(v);
  const frac = known && max > 0 ? Math.min(1, Math.max(0, v / max)) : 0;
  const beyond = (x, at) => at !== null && at !== undefined && (higherIsBetter ? x <= at : x >= at);
  const state = !known ? 'unknown' : beyond(v, badAt) ? 'bad' : beyond(v, warnAt) ? 'warn' : 'ok';
  const words = { ok: 'OK', warn: 'Warning', bad: higherIsBetter ? 'Below limit' : 'Over limit', unknown: 'No data' }[state];
  const point = f => [cx - r * Math.cos(Math.PI * f), cy - r * Math.sin(Math.PI * f)];
  const arc = (from, to) => {
    const [x1, y1] = point(from), [x2, y2] = point(to);
    return `M${x1.toFixed(1)} ${y1.toFixed(1)} A${r} ${r} 0 0 1 ${x2.toFixed(1)} ${y2.toFixed(1)}`;
  };
  const tick = at => {
    if (at === null || at === undefined || !(max > 0)) return nothing;
    const f = Math.min(1, Math.max(0, at / max));
    const [x1, y1] = [cx - (r - 14) * Math.cos(Math.PI * f), cy - (r - 14) * Math.sin(Math.PI * f)];
    const [x2, y2] = [cx - (r + 14) * Math.cos(Math.PI * f), cy - (r + 14) * Math.sin(Math.PI * f)];
    return svg`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" class="chart-threshold"></line>`;
  };
  const text = known ? withUnit(v, unit) : '—';
  const fullLabel = `${label}: ${text} of ${withUnit(max, unit)}, ${words}`;
  const body = svg`
    <path d="${arc(0, 1)}" fill="none" stroke-width="16" class="chart-gauge-track"></path>
    ${frac > 0 ? svg`<path d="${arc(0, frac)}" fill="none" stroke-width="16" class="chart-gauge-value gauge-${state}"></path>` : nothing}
    ${tick(warnAt)}${tick(badAt)}
    <text x="${cx}" y="${cy - 22}" text-anchor="middle" class="chart-gauge-number">${text}</text>
    <text x="${cx}" y="${cy - 2}" text-anchor="middle" class="chart-gauge-state gauge-text-${state}">${words}</text>
    <text x="${cx}" y="${cy + 20}" text-anchor="middle" class="chart-gauge-label">${truncate(label, 28)}</text>`;
  const table = dataTable(label, ['Measure', 'Value'], [
    ['Value', text], ['Maximum', withUnit(max, unit)],
    ...(warnAt !== null && warnAt !== undefined ? [['Warning at', withUnit(warnAt, unit)]] : []),
    ...(badAt !== null && badAt !== undefined ? [['Limit at', withUnit(badAt, unit)]] : []),
    ['State', words],
  ]);
  return figure({ label: fullLabel, width, height: height + 14, body, table, className: 'chart-gauge', summary: label });
}
