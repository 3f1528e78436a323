// A small stand-in for the core's consolidation, for the UI's tests: enough to give the
// mission-critical samples' elements and flows their origins, as the application view gets them.

import type { DataFlow } from "../bindings/DataFlow";
import type { Element } from "../bindings/Element";
import type { ServiceModel } from "../bindings/ServiceModel";

/** A small stand-in for the core's consolidation: enough to give elements and flows their origins. */
export function consolidateSamples(services: ServiceModel[]): ServiceModel {
  const elements = new Map<string, Element>();
  const idOf = new Map<string, string>(); // `${service}/${element id}` -> application element id
  const byShared = new Map<string, string>();
  const byName = new Map<string, string>(); // `${service}/${name}` -> application element id
  const add = (svc: string, e: Element, id: string) => {
    const existing = elements.get(id);
    if (existing) existing.origins = [...new Set([...(existing.origins ?? []), svc])];
    else elements.set(id, { ...e, id, boundary: null, origins: [svc] });
    idOf.set(`${svc}/${e.id}`, id);
  };
  // Plain and shared elements first, so that references find what they point at.
  for (const m of services)
    for (const e of m.elements) {
      if (e.refers_to) continue;
      const id = (e.shared_key && byShared.get(e.shared_key)) || e.id;
      if (e.shared_key) byShared.set(e.shared_key, id);
      byName.set(`${m.name}/${e.name}`, id);
      add(m.name, e, id);
    }
  for (const m of services)
    for (const e of m.elements) {
      if (!e.refers_to) continue;
      add(m.name, e, byName.get(`${e.refers_to.service}/${e.refers_to.element}`) ?? e.id);
    }
  const flows: DataFlow[] = services.flatMap((m) =>
    m.flows.map((f) => ({ ...f, source: idOf.get(`${m.name}/${f.source}`)!, target: idOf.get(`${m.name}/${f.target}`)!, origins: [m.name] })),
  );
  return { schema_version: 1, id: "app", kind: "application", name: "mission-critical", boundaries: [], elements: [...elements.values()], flows };
}

