// The samples of the web build: the repository's models/*.stride.json, plus the desktop
// tests' tiny fixture when there are none.

import type { ServiceModel } from "./bindings/ServiceModel";
import type { MemorySample } from "./api";
import tiny from "../../src-tauri/tests/fixtures/tiny.stride.json";

export function webSamples(): MemorySample[] {
  const found = import.meta.glob<ServiceModel>("../../models/*.stride.json", { eager: true, import: "default" });
  const samples = Object.entries(found)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, model]) => ({ id: path.split("/").pop()!, model }));
  return samples.length ? samples : [{ id: "tiny.stride.json", model: tiny as unknown as ServiceModel }];
}
