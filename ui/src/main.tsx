import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ReactFlowProvider } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import "./theme.css";
import { App } from "./App";
import { inTauri, memoryBackend, tauriBackend, type Backend } from "./api";
import { webSamples } from "./samples";
import type { StencilSet } from "./bindings/StencilSet";

async function backend(): Promise<Backend> {
  if (inTauri()) return tauriBackend();
  const stencils = (await import("./__fixtures__/stencils.json")).default as unknown as StencilSet;
  const memory = memoryBackend(webSamples(), stencils);
  // For the web smoke test: it simulates a save made outside the app through this.
  (window as unknown as { stridewiseMemory: typeof memory }).stridewiseMemory = memory;
  return memory;
}

// The webview's own context menu (Reload, Inspect Element: a reload throws away unsaved state)
// never shows; the app opens its own where it has one (contextMenu.ts).
window.addEventListener("contextmenu", (e) => e.preventDefault());

backend().then((b) =>
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <ReactFlowProvider>
        <App backend={b} />
      </ReactFlowProvider>
    </StrictMode>,
  ),
);
