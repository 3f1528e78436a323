import { describe, expect, it } from "vitest";
import type { ServiceModel } from "./bindings/ServiceModel";
import stencilsJson from "./__fixtures__/stencils.json";
import type { StencilSet } from "./bindings/StencilSet";
import { toNodes } from "./diagram";
import { editorPicture } from "./diagram";
import { ELEMENT_SIZE } from "./geometry";
import { NAME_CHAR, fitElement, nameChars, neededHeight, wrapWords } from "./nodeSize";
import mcGlobal from "../../models/mc-global.stride.json";

const global = mcGlobal as unknown as ServiceModel;
const stencils = stencilsJson as unknown as StencilSet;
const stencilTitle = (id: string) => stencils.stencils[id]?.title ?? id;

describe("node sizes", () => {
  it("wrap words without cutting any, splitting only a word longer than a line", () => {
    expect(wrapWords("Global Log Analytics workspace", 17)).toEqual(["Global Log", "Analytics", "workspace"]);
    expect(wrapWords("azurerm_log_analytics_workspace", 12)).toEqual(["azurerm_log_", "analytics_wo", "rkspace"]);
    expect(wrapWords("  ", 10)).toEqual([]);
  });

  it("grow a node downwards until the whole name and stencil fit, and never shrink one", () => {
    const rect = { x: 10, y: 20, width: 160, height: 70 };
    const grown = fitElement(rect, "Global Log Analytics workspace", "Azure Log Analytics workspace");
    expect(grown).toMatchObject({ x: 10, y: 20, width: 160 });
    // Three lines of name and two of stencil.
    expect(grown.height).toBe(neededHeight(160, "Global Log Analytics workspace", "Azure Log Analytics workspace"));
    expect(grown.height).toBeGreaterThan(70);
    expect(fitElement(rect, "API", "Process")).toBe(rect);
  });

  it("give every element of the sample a box that holds each line of its name", () => {
    const nodes = toNodes(global, { stencilTitle });
    const analytics = global.elements.find((e) => e.name === "Global Log Analytics workspace")!;
    for (const e of global.elements) {
      const n = nodes.find((x) => x.id === e.id)!;
      const lines = wrapWords(e.name, nameChars(n.width!));
      for (const l of lines) expect(l.length * NAME_CHAR).toBeLessThanOrEqual(n.width! - 24);
      expect(n.height!).toBeGreaterThanOrEqual(neededHeight(n.width!, e.name, stencilTitle(e.stencil)));
    }
    expect(nodes.find((n) => n.id === analytics.id)!.height).toBeGreaterThan(ELEMENT_SIZE.height - 10);
    // The picture writes every word of the name, no ellipsis.
    const { svg } = editorPicture("mc-global", global, stencils);
    const lines = wrapWords(analytics.name, nameChars(160));
    expect(lines).toEqual(["Global Log", "Analytics", "workspace"]);
    for (const line of lines) expect(svg).toContain(`>${line}</text>`);
    expect(svg).not.toContain("…");
  });
});
