// The palette: element kinds, trust boundaries and the catalog's stencils. Drag an entry
// onto the canvas, or click it to add it in the middle of the view.

import { useMemo, useState } from "react";
import type { BoundaryKind } from "./bindings/BoundaryKind";
import type { ElementKind } from "./bindings/ElementKind";
import type { StencilSet } from "./bindings/StencilSet";
import { KIND_LABEL } from "./edits";

export type PaletteItem =
  | { type: "element"; kind: ElementKind; stencil: string; title: string }
  | { type: "boundary"; kind: BoundaryKind; title: string };

export const DND_TYPE = "application/x-stridewise-palette";

const KINDS: ElementKind[] = ["external_entity", "process", "data_store"];

export function Palette({ stencils, onAdd }: { stencils: StencilSet | null; onAdd: (item: PaletteItem) => void }) {
  const [query, setQuery] = useState("");
  const catalog = useMemo(() => {
    const q = query.trim().toLowerCase();
    return Object.values(stencils?.stencils ?? {})
      .filter((s) => !s.id.startsWith("generic."))
      .filter((s) => !q || s.title.toLowerCase().includes(q) || s.id.includes(q))
      .sort((a, b) => a.title.localeCompare(b.title));
  }, [stencils, query]);

  const entry = (item: PaletteItem, key: string, cls: string, testid?: string) => (
    <button
      key={key}
      className={`sw-palette__item ${cls}`}
      draggable
      data-testid={testid}
      title={`Drag onto the diagram, or click to add`}
      onDragStart={(e) => {
        e.dataTransfer.setData(DND_TYPE, JSON.stringify(item));
        e.dataTransfer.effectAllowed = "copy";
      }}
      onClick={() => onAdd(item)}
    >
      <span className={`sw-kind-dot ${cls.replace("sw-palette__item--", "sw-kind-dot--")}`} />
      {item.title}
    </button>
  );

  return (
    <div className="sw-palette">
      <h3>Elements</h3>
      {KINDS.map((k) => entry({ type: "element", kind: k, stencil: `generic.${k}`, title: KIND_LABEL[k] }, k, `sw-palette__item--${k}`, `palette-${k}`))}
      {entry({ type: "boundary", kind: "generic", title: "Trust boundary" }, "boundary", "sw-palette__item--boundary", "palette-boundary")}
      <h3>Catalog stencils</h3>
      <input className="sw-search" type="search" placeholder="Filter stencils" value={query} onChange={(e) => setQuery(e.target.value)} />
      <div className="sw-palette__stencils">
        {catalog.map((s) => entry({ type: "element", kind: s.kind, stencil: s.id, title: s.title }, s.id, `sw-palette__item--${s.kind}`))}
      </div>
    </div>
  );
}
