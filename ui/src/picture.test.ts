import { describe, expect, it } from "vitest";
import type { ServiceModel } from "./bindings/ServiceModel";
import { editorPicture } from "./diagram";
import { fileNameOf, wrapName } from "./picture";
import mcStamp from "../../models/mc-stamp.stride.json";

const model = mcStamp as unknown as ServiceModel;

describe("the diagram as a picture", () => {
  const { svg } = editorPicture("mission-critical – mc-stamp", model, null);

  it("is one self-contained SVG document: no script, no external reference", () => {
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).not.toMatch(/<script|href="http|xlink:href|<foreignObject/);
  });

  it("draws every element, boundary and flow of the model, names escaped", () => {
    for (const e of model.elements) expect(svg).toContain(wrapName(e.name.replace(/&/g, "&amp;"), 18)[0].slice(0, 6));
    for (const b of model.boundaries) expect(svg).toContain(b.name.replace(/&/g, "&amp;"));
    expect(svg.match(/marker-end="url\(#arrow\)"/g)).toHaveLength(model.flows.length);
    const hostile = { ...model, elements: model.elements.map((e, i) => (i === 0 ? { ...e, name: "<script>alert(1)</script>" } : e)) };
    expect(editorPicture("x", hostile, null).svg).not.toContain("<script>");
  });

  it("wraps names without cutting them and makes safe file names", () => {
    expect(wrapName("Azure Kubernetes Service cluster nodes", 14)).toEqual(["Azure", "Kubernetes", "Service", "cluster nodes"]);
    expect(wrapName("Azure Front Door", 14)).toEqual(["Azure Front", "Door"]);
    expect(fileNameOf("mission-critical – mc-stamp", "svg")).toBe("mission-critical-mc-stamp.svg");
    expect(fileNameOf("///", "png")).toBe("diagram.png");
  });
});
