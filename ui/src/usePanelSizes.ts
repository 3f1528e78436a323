// The side panels' widths as React state: loaded once, clamped to the window while dragging,
// stored when a drag ends.

import { useCallback, useState } from "react";
import { clampWidth, loadSizes, saveSizes, type PanelName, type PanelSizes } from "./panels";

const storage = () => (typeof localStorage === "undefined" ? null : localStorage);

export function usePanelSizes() {
  const [sizes, setSizes] = useState<PanelSizes>(() => loadSizes(storage()));
  const resize = useCallback((name: PanelName, width: number, done: boolean) => {
    setSizes((s) => {
      const others = name === "sidebar" ? s.panel : s.sidebar;
      const next = { ...s, [name]: clampWidth(name, width, window.innerWidth, others) };
      if (done) saveSizes(storage(), next);
      return next;
    });
  }, []);
  return { sizes, resize };
}
