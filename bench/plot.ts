/**
 * The scaling plot of `npm run bench`: steps per second against batch size N,
 * one line per hidden width H, both axes log10, as a self-contained SVG.
 */
export interface ScalingPoint {
  N: number;
  H: number;
  stepsPerSecond: number;
}

export function scalingSvg(points: readonly ScalingPoint[], title: string): string {
  const w = 560;
  const h = 360;
  const pad = { l: 70, r: 110, t: 40, b: 50 };
  const lx = points.map((p) => Math.log10(p.N));
  const ly = points.map((p) => Math.log10(p.stepsPerSecond));
  const [x0, x1] = [Math.floor(Math.min(...lx)), Math.ceil(Math.max(...lx))];
  const [y0, y1] = [Math.floor(Math.min(...ly)), Math.ceil(Math.max(...ly))];
  const X = (v: number) => pad.l + ((Math.log10(v) - x0) / Math.max(1, x1 - x0)) * (w - pad.l - pad.r);
  const Y = (v: number) => h - pad.b - ((Math.log10(v) - y0) / Math.max(1, y1 - y0)) * (h - pad.t - pad.b);
  const colours = ['#2563eb', '#ea580c', '#15803d', '#9333ea', '#0891b2'];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2}" y="22" text-anchor="middle" font-size="14">${escape(title)}</text>`,
  ];
  for (let e = x0; e <= x1; e++) {
    out.push(`<line x1="${X(10 ** e)}" y1="${pad.t}" x2="${X(10 ** e)}" y2="${h - pad.b}" stroke="#ddd"/>`);
    out.push(`<text x="${X(10 ** e)}" y="${h - pad.b + 16}" text-anchor="middle">1e${e}</text>`);
  }
  for (let e = y0; e <= y1; e++) {
    out.push(`<line x1="${pad.l}" y1="${Y(10 ** e)}" x2="${w - pad.r}" y2="${Y(10 ** e)}" stroke="#ddd"/>`);
    out.push(`<text x="${pad.l - 8}" y="${Y(10 ** e) + 4}" text-anchor="end">1e${e}</text>`);
  }
  out.push(`<text x="${(pad.l + w - pad.r) / 2}" y="${h - 12}" text-anchor="middle">batch size N (points)</text>`);
  out.push(
    `<text x="16" y="${h / 2}" text-anchor="middle" transform="rotate(-90 16 ${h / 2})">SGD steps per second</text>`,
  );
  [...new Set(points.map((p) => p.H))].forEach((H, i) => {
    const line = points.filter((p) => p.H === H).sort((a, b) => a.N - b.N);
    const c = colours[i % colours.length]!;
    out.push(
      `<polyline fill="none" stroke="${c}" stroke-width="2" points="${line.map((p) => `${X(p.N).toFixed(1)},${Y(p.stepsPerSecond).toFixed(1)}`).join(' ')}"/>`,
    );
    for (const p of line)
      out.push(`<circle cx="${X(p.N).toFixed(1)}" cy="${Y(p.stepsPerSecond).toFixed(1)}" r="3" fill="${c}"/>`);
    const last = line[line.length - 1]!;
    out.push(`<text x="${X(last.N) + 8}" y="${Y(last.stepsPerSecond) + 4}" fill="${c}">H = ${H}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
