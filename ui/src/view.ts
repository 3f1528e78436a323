// What fills the main area of the window. One union, so that every place that asks "what is
// shown?" (the toolbar's title, the sidebar's highlight, the side panel, the shortcuts) switches
// over the same cases, and a new screen (a revision browser, conflict resolution) is one more
// case that the compiler then asks each of them about.

import type { ServiceDoc } from "./workspace";
import { isDirty } from "./workspace";

export type View =
  /** The diagram editor on the service open in it (the session's active doc), or the empty
   *  state when none is open. The active doc is kept while another view is shown, so going
   *  back to the editor finds it as it was. */
  | { kind: "editor" }
  /** The application's consolidated, read-only view with its threats and attack paths. */
  | { kind: "application"; application: string }
  /** The application's sprint review. */
  | { kind: "review"; application: string };

export const EDITOR: View = { kind: "editor" };

/** The toolbar's title. */
export function viewTitle(view: View, doc: ServiceDoc | null): string {
  switch (view.kind) {
    case "review":
      return `${view.application} · sprint review`;
    case "application":
      return `${view.application} · application view`;
    case "editor":
      return doc ? `${doc.application} / ${doc.name}${isDirty(doc) ? " •" : ""}` : "";
  }
}

/** What the sidebar highlights: the application shown, else the service in the editor. */
export function sidebarActive(view: View, activeId: string | null): { kind: "service"; id: string } | { kind: "application"; name: string } | null {
  if (view.kind !== "editor") return { kind: "application", name: view.application };
  return activeId ? { kind: "service", id: activeId } : null;
}

/** Views without the side panel (inspector and threats): they bring their own. */
export const isWide = (view: View) => view.kind !== "editor";
