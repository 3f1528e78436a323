// The samples of the web build: the repository's models/*.stride.json, plus the desktop
// tests' tiny fixture when there are none. In the web preview's workspace the mission-critical
// samples (mc-*) make the application "mission-critical"; any other sample is an application
// of its own, named after the model.

import type { ServiceModel } from "./bindings/ServiceModel";
import type { MemorySample } from "./api";
import tiny from "../../src-tauri/tests/fixtures/tiny.stride.json";

export function sampleApplication(file: string, model: ServiceModel): string {
  return file.startsWith("mc-") ? "mission-critical" : model.name;
}

export function webSamples(): MemorySample[] {
  const found = import.meta.glob<ServiceModel>("../../models/*.stride.json", { eager: true, import: "default" });
  const samples = Object.entries(found)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, model]) => {
      const id = path.split("/").pop()!;
      return { id, model, application: sampleApplication(id, model) };
    });
  if (samples.length) return samples;
  const model = tiny as unknown as ServiceModel;
  return [{ id: "tiny.stride.json", model, application: model.name }];
}
