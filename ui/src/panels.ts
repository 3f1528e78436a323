// The widths of the window's side panels (the sidebar, the editor's side panel, the application
// view's threats), which the person sets by dragging their edges. Remembered across starts in
// the webview's local storage; a stored value that is not a number, or out of bounds for the
// window, comes back clamped, so a bad entry can never hide a panel.

export type PanelName = "sidebar" | "panel" | "appSide";

export type PanelSizes = Record<PanelName, number>;

export const DEFAULT_SIZES: PanelSizes = { sidebar: 264, panel: 360, appSide: 400 };

/** The narrowest and widest each panel may be. */
export const BOUNDS: Record<PanelName, { min: number; max: number }> = {
  sidebar: { min: 200, max: 440 },
  panel: { min: 300, max: 640 },
  appSide: { min: 320, max: 680 },
};

/** The heights of the toolbar (with the menu bar) and the status bar: .sw-app's grid rows in theme.css. */
export const TOOLBAR_HEIGHT = 46;
export const STATUS_BAR_HEIGHT = 26;

/** The editor's canvas in a window of `width` x `height`: what the toolbar, the status bar and
 *  the two side panels leave of it. The fit places the diagram in this, not in the window. */
export function editorCanvasSize(width: number, height: number, sizes: PanelSizes = DEFAULT_SIZES): { width: number; height: number } {
  return { width: width - sizes.sidebar - sizes.panel, height: height - TOOLBAR_HEIGHT - STATUS_BAR_HEIGHT };
}

/** The diagram keeps at least this much of the window's width. */
export const MIN_CANVAS = 360;

const KEY = "stridewise.panels";

/** `width` within the panel's bounds, leaving the canvas at least MIN_CANVAS of `windowWidth`. */
export function clampWidth(name: PanelName, width: number, windowWidth: number, others = 0): number {
  const { min, max } = BOUNDS[name];
  const room = Math.max(min, windowWidth - others - MIN_CANVAS);
  const w = Number.isFinite(width) ? Math.round(width) : DEFAULT_SIZES[name];
  return Math.max(min, Math.min(max, room, w));
}

/** The stored sizes, with the defaults for whatever is missing or not a number. */
export function loadSizes(storage: Pick<Storage, "getItem"> | null): PanelSizes {
  const out = { ...DEFAULT_SIZES };
  try {
    const raw = storage?.getItem(KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    if (parsed && typeof parsed === "object") {
      for (const name of Object.keys(DEFAULT_SIZES) as PanelName[]) {
        const v = (parsed as Record<string, unknown>)[name];
        if (typeof v === "number" && Number.isFinite(v)) out[name] = Math.max(BOUNDS[name].min, Math.min(BOUNDS[name].max, Math.round(v)));
      }
    }
  } catch {
    // A broken entry: the defaults.
  }
  return out;
}

export function saveSizes(storage: Pick<Storage, "setItem"> | null, sizes: PanelSizes): void {
  try {
    storage?.setItem(KEY, JSON.stringify(sizes));
  } catch {
    // Storage full or refused: the sizes are kept for this run only.
  }
}
