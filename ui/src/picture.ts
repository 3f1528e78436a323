// The diagram shown, as a picture to keep or send: a self-contained SVG (no script, no external
// reference, system fonts) drawn from the model's layout with the same flow curves and label
// places as the screen (flowGeometry.ts), and a PNG rendered from it. Pure but for the PNG,
// which needs a canvas.

import { curvePath, placedCurve, pointAt, type FlowPlacement, type Rect } from "./flowGeometry";
import { NAME_LINE, STENCIL_LINE, nameChars, stencilChars, wrapWords } from "./nodeSize";

export interface PictureNode {
  id: string;
  rect: Rect;
  /** How it is drawn: a DFD element by kind, or a container (trust boundary, service group). */
  shape: "external_entity" | "process" | "data_store" | "container";
  title: string;
  /** The small text under the name (the stencil), or a container's kind. */
  subtitle?: string;
}

export interface PictureFlow {
  id: string;
  source: string;
  target: string;
  text: string;
  bidirectional: boolean;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const n1 = (v: number) => Math.round(v * 10) / 10;

/** Wraps a name on lines of `chars` characters, as the screen does; nothing is cut. */
export const wrapName = (name: string, chars: number): string[] => wrapWords(name, chars);

export function diagramSvg(title: string, nodes: readonly PictureNode[], flows: readonly PictureFlow[], placements: ReadonlyMap<string, FlowPlacement>): string {
  const rects = new Map(nodes.map((n) => [n.id, n.rect]));
  const all = [...nodes.map((n) => n.rect), ...[...placements.values()].flatMap((p) => (p.label ? [p.label.box] : []))];
  const pad = 24;
  const minX = Math.min(0, ...all.map((r) => r.x)) - pad;
  const minY = Math.min(0, ...all.map((r) => r.y)) - pad - 28;
  const maxX = Math.max(...all.map((r) => r.x + r.width), 200) + pad;
  const maxY = Math.max(...all.map((r) => r.y + r.height), 100) + pad;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${n1(minX)} ${n1(minY)} ${n1(maxX - minX)} ${n1(maxY - minY)}" width="${Math.ceil(maxX - minX)}" height="${Math.ceil(maxY - minY)}" font-family="DejaVu Sans, Inter, Segoe UI, Noto Sans, sans-serif">`,
    `<title>${esc(title)}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#6f7a8e"/></marker></defs>`,
    `<rect x="${n1(minX)}" y="${n1(minY)}" width="${n1(maxX - minX)}" height="${n1(maxY - minY)}" fill="#fbfcfd"/>`,
    `<text x="${n1(minX + pad)}" y="${n1(minY + pad + 6)}" font-size="16" font-weight="700" fill="#1c2333">${esc(title)}</text>`,
  );
  // Containers first (largest first, so nested ones are drawn over their parents), then flows, then elements.
  for (const c of nodes.filter((n) => n.shape === "container").sort((a, b) => b.rect.width * b.rect.height - a.rect.width * a.rect.height)) {
    const r = c.rect;
    out.push(
      `<g class="container"><rect x="${n1(r.x)}" y="${n1(r.y)}" width="${n1(r.width)}" height="${n1(r.height)}" rx="10" fill="rgba(192,57,43,0.03)" stroke="#c0392b" stroke-width="2" stroke-dasharray="7 5"/>`,
      `<text x="${n1(r.x + 10)}" y="${n1(r.y + 19)}" font-size="12"><tspan font-weight="700" fill="#5f6878">${esc((c.subtitle ?? "").toUpperCase())}</tspan> <tspan font-weight="600" fill="#4a5468">${esc(c.title)}</tspan></text></g>`,
    );
  }
  for (const f of flows) {
    const p = placements.get(f.id);
    const s = rects.get(f.source);
    const t = rects.get(f.target);
    if (!p || !s || !t) continue;
    const { curve, n } = placedCurve(s, t, p);
    out.push(
      `<path d="${curvePath(curve)}" fill="none" stroke="#6f7a8e" stroke-width="1.6" marker-end="url(#arrow)"${f.bidirectional ? ` marker-start="url(#arrow)"` : ""}><title>${esc(f.text)}</title></path>`,
    );
    if (p.label) {
      const c = pointAt(curve, p.label.t);
      const cx = c.x + n.x * p.label.shift;
      const cy = c.y + n.y * p.label.shift;
      const b = p.label.box;
      out.push(`<rect x="${n1(b.x)}" y="${n1(b.y)}" width="${n1(b.width)}" height="${n1(b.height)}" rx="4" fill="#fbfcfd" fill-opacity="0.92"/>`);
      const lines = p.label.lines;
      lines.forEach((line, i) => {
        const y = cy - ((lines.length - 1) * 16) / 2 + i * 16 + 4;
        out.push(`<text x="${n1(cx)}" y="${n1(y)}" font-size="12" text-anchor="middle" fill="#4a5468">${esc(line)}</text>`);
      });
    }
  }
  for (const e of nodes.filter((n) => n.shape !== "container")) {
    const r = e.rect;
    const stroke = e.shape === "process" ? "#2f6fde" : e.shape === "data_store" ? "#1f8a70" : "#5b6b86";
    if (e.shape === "process") out.push(`<rect x="${n1(r.x)}" y="${n1(r.y)}" width="${n1(r.width)}" height="${n1(r.height)}" rx="${n1(Math.min(34, r.height / 2))}" fill="#fff" stroke="${stroke}" stroke-width="1.6"/>`);
    else if (e.shape === "data_store")
      out.push(
        `<rect x="${n1(r.x)}" y="${n1(r.y)}" width="${n1(r.width)}" height="${n1(r.height)}" fill="#f4fbf8"/>`,
        `<path d="M${n1(r.x)} ${n1(r.y + 1.5)}H${n1(r.x + r.width)}M${n1(r.x)} ${n1(r.y + r.height - 1.5)}H${n1(r.x + r.width)}" stroke="${stroke}" stroke-width="3"/>`,
      );
    else out.push(`<rect x="${n1(r.x)}" y="${n1(r.y)}" width="${n1(r.width)}" height="${n1(r.height)}" rx="2" fill="#f7f8fb" stroke="${stroke}" stroke-width="1.6"/>`);
    const lines = wrapName(e.title || "unnamed", nameChars(r.width));
    const subs = e.subtitle ? wrapWords(e.subtitle, stencilChars(r.width)) : [];
    const top = r.y + r.height / 2 - (lines.length * NAME_LINE + subs.length * STENCIL_LINE) / 2 + 12;
    lines.forEach((line, i) => out.push(`<text x="${n1(r.x + r.width / 2)}" y="${n1(top + i * NAME_LINE)}" font-size="13" font-weight="600" text-anchor="middle" fill="#1c2333">${esc(line)}</text>`));
    subs.forEach((line, i) => out.push(`<text x="${n1(r.x + r.width / 2)}" y="${n1(top + lines.length * NAME_LINE + i * STENCIL_LINE)}" font-size="12" text-anchor="middle" fill="#5f6878">${esc(line)}</text>`));
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

/** The SVG rendered to PNG at `scale` (2: sharp on high-density screens and in documents). */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(img.naturalWidth * scale);
  canvas.height = Math.ceil(img.naturalHeight * scale);
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("no 2D canvas to draw the PNG on");
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the PNG could not be encoded"))), "image/png"));
}

/** Offers `data` as a file named `name` the way the webview downloads files (a data: URL, which
 *  the app's content security policy allows). */
export async function download(name: string, data: Blob): Promise<void> {
  const url = await new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error("the file could not be read"));
    r.readAsDataURL(data);
  });
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** A file name from a diagram's title: letters, digits, dots and dashes. */
export const fileNameOf = (title: string, ext: string) => `${title.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "diagram"}.${ext}`;
