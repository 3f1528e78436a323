import { describe, expect, it } from "vitest";
import { BOUNDS, DEFAULT_SIZES, MIN_CANVAS, clampWidth, loadSizes, saveSizes } from "./panels";

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
}

describe("panel sizes", () => {
  it("clamps a dragged width to the panel's bounds", () => {
    expect(clampWidth("sidebar", 50, 1600)).toBe(BOUNDS.sidebar.min);
    expect(clampWidth("sidebar", 5000, 1600)).toBe(BOUNDS.sidebar.max);
    expect(clampWidth("panel", 420.4, 1600)).toBe(420);
  });

  it("always leaves the diagram its minimum width", () => {
    const w = clampWidth("panel", 640, 1280, 440);
    expect(1280 - 440 - w).toBeGreaterThanOrEqual(MIN_CANVAS);
  });

  it("remembers sizes and ignores broken or hostile entries", () => {
    const s = memoryStorage();
    expect(loadSizes(s)).toEqual(DEFAULT_SIZES);
    saveSizes(s, { sidebar: 300, panel: 500, appSide: 420 });
    expect(loadSizes(s)).toEqual({ sidebar: 300, panel: 500, appSide: 420 });
    s.setItem("stridewise.panels", "{not json");
    expect(loadSizes(s)).toEqual(DEFAULT_SIZES);
    s.setItem("stridewise.panels", JSON.stringify({ sidebar: "wide", panel: -1, appSide: 1e9 }));
    expect(loadSizes(s)).toEqual({ sidebar: DEFAULT_SIZES.sidebar, panel: BOUNDS.panel.min, appSide: BOUNDS.appSide.max });
    expect(loadSizes(null)).toEqual(DEFAULT_SIZES);
  });
});
