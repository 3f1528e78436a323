// The workspace session and the sidebar's actions, driven as the window drives them, on the
// memory backend with a scripted dialog and a clock the test moves.

import { describe, expect, it, vi } from "vitest";
import type { Analysis } from "./bindings/Analysis";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { StencilSet } from "./bindings/StencilSet";
import tinyJson from "../../src-tauri/tests/fixtures/tiny.stride.json";
import stencilsJson from "./__fixtures__/stencils.json";
import { memoryBackend, type MemoryBackend } from "./api";
import type { Ask, DialogRequest } from "./Dialog";
import * as edit from "./edits";
import { kB, startService, updateDocIn, WorkspaceSession, type Say } from "./session";
import { serviceActions } from "./serviceActions";
import * as ws from "./workspace";

const tiny = tinyJson as unknown as ServiceModel;
const stencils = stencilsJson as unknown as StencilSet;
const other: ServiceModel = { ...edit.emptyModel("billing"), id: "00000000-0000-4000-8000-0000000000b1" };

interface Harness {
  backend: MemoryBackend;
  session: WorkspaceSession;
  said: { text: string; error: boolean }[];
  /** What the dialog was asked, in order. */
  asked: DialogRequest[];
  /** The answers the person gives, in order: a text (run through the request's `run`, as OK
   *  does; a refusal there cancels, as the person would after reading it) or null (Cancel). */
  answers: (string | null)[];
  storage: Map<string, string>;
  clock: { now: number };
  last: () => string;
  ask: Ask;
  say: Say;
}

function harness(): Harness {
  const backend = memoryBackend(
    [
      { id: "tiny.stride.json", model: tiny, application: "shop" },
      { id: "billing.stride.json", model: other, application: "shop" },
    ],
    stencils,
    async () => ({}) as Record<string, Analysis>,
  );
  const said: Harness["said"] = [];
  const asked: DialogRequest[] = [];
  const answers: (string | null)[] = [];
  const storage = new Map<string, string>();
  const clock = { now: 1000 };
  const ask = async (request: DialogRequest) => {
    asked.push(request);
    const answer = answers.shift() ?? null;
    if (answer !== null && request.run) {
      try {
        await request.run(answer);
      } catch {
        return null;
      }
    }
    return answer;
  };
  const say: Say = (text, error = false) => void said.push({ text, error });
  const session = new WorkspaceSession({
    backend,
    say,
    ask,
    layout: async (model) => ({ model, error: null }),
    storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) },
    now: () => clock.now,
  });
  return { backend, session, said, asked, answers, storage, clock, last: () => said[said.length - 1]?.text ?? "", ask, say };
}

const addProcess = (m: ServiceModel) => edit.addElement(m, "process", "generic.process", { x: 0, y: 0 }).model;
const present = (s: WorkspaceSession) => s.active!.history.present;

describe("workspace session", () => {
  it("starts on the workspace, opening the service opened last there, else the first", async () => {
    const h = harness();
    await h.session.start();
    const st = h.session.snapshot();
    expect(st.stencils).toBe(stencils);
    expect(st.info?.name).toBe("sample.stridewise");
    // "billing" sorts before "tiny".
    expect(h.session.active?.name).toBe("billing");
    expect(h.said.map((s) => s.text)).toEqual(["Opened sample.stridewise (the sample workspace).", "Opened 'billing' at revision #1 (stridewise)."]);
    expect(h.storage.get("stridewise.lastService:memory:sample.stridewise")).toBe(other.id);

    const again = harness();
    again.storage.set("stridewise.lastService:memory:sample.stridewise", tiny.id);
    await again.session.start();
    expect(again.session.active?.name).toBe("tiny");
  });

  it("a start-up whose window is gone enters no workspace", async () => {
    const h = harness();
    await h.session.start(() => true);
    expect(h.session.snapshot().info).toBeNull();
    expect(h.said).toEqual([]);
  });

  it("opening a service while it is being opened loads it once and shows it once", async () => {
    const h = harness();
    await h.session.start();
    const closed = [tiny.id, other.id].find((id) => !h.session.snapshot().docs.some((d) => d.serviceId === id))!;
    const loads = vi.spyOn(h.backend, "loadService");
    const shownBefore = h.session.snapshot().shown;
    await Promise.all([h.session.openService(closed), h.session.openService(closed)]);
    expect(loads).toHaveBeenCalledTimes(1);
    expect(h.session.snapshot().docs.filter((d) => d.serviceId === closed)).toHaveLength(1);
    expect(h.session.snapshot().shown).toBe(shownBefore + 1);
    // Once open, another open only shows it again.
    await h.session.openService(closed);
    expect(loads).toHaveBeenCalledTimes(1);
  });

  it("autosaves 800 ms after the last edit, or at once on flush, and the sidebar follows", async () => {
    const h = harness();
    await h.session.start();
    await h.session.openService(tiny.id);
    h.session.commit(addProcess(present(h.session)));
    expect(h.session.active?.state).toBe("dirty");
    h.clock.now += 500;
    await h.session.flush(false);
    expect(h.session.active?.state).toBe("dirty");
    h.clock.now += ws.AUTOSAVE_MS;
    await h.session.flush(false);
    expect(h.session.active).toMatchObject({ state: "saved", baseSeq: 2 });
    await vi.waitFor(() => expect(h.session.snapshot().info?.applications[0].services.find((s) => s.id === tiny.id)?.revisions).toBe(2));
    // Undo is one more edit, saved the same way; Ctrl+S with nothing to save says so.
    h.session.undo();
    await h.session.saveNow();
    expect(h.session.active).toMatchObject({ state: "saved", baseSeq: 3 });
    await h.session.saveNow();
    expect(h.last()).toBe("Nothing to save: 'tiny' is saved.");
  });

  it("reloads a clean service saved outside the app, and says so", async () => {
    const h = harness();
    await h.session.start();
    h.backend.simulateOutsideSave(other.id, { ...other, description: "theirs" }, "ci");
    await h.session.poll();
    await vi.waitFor(() => expect(present(h.session).description).toBe("theirs"));
    expect(h.session.active).toMatchObject({ state: "saved", baseSeq: 2 });
    expect(h.last()).toBe("'billing' was changed outside the app (revision #2 by ci); reloaded.");
  });

  it("keeps unsaved edits under the banner when the head moves, and merges them into theirs", async () => {
    const h = harness();
    await h.session.start();
    h.session.commit(addProcess(present(h.session)));
    h.backend.simulateOutsideSave(other.id, undefined, "alice");
    await h.session.poll();
    expect(h.session.active).toMatchObject({ state: "conflict", outside: { seq: 2, author: "alice" } });
    expect(h.said.at(-1)).toEqual({ text: "'billing' was changed outside the app; your unsaved changes are kept (see the banner).", error: true });
    // Nothing is saved over their head, whatever forces it.
    await h.session.flush(true);
    await h.session.saveNow();
    expect(h.last()).toMatch(/reload theirs or merge yours first/);
    expect((await h.backend.loadService(other.id)).service.revisions).toBe(2);
    await h.session.mergeMine();
    expect(h.session.active).toMatchObject({ state: "saved", outside: null, baseSeq: 3 });
    expect(present(h.session).elements).toHaveLength(1);
    expect(h.last()).toBe("Merged your changes into revision #3.");
    expect(h.session.snapshot().busy).toBe(false);
  });

  it("reload theirs replaces unsaved edits, and Undo brings them back", async () => {
    const h = harness();
    await h.session.start();
    h.session.commit(addProcess(present(h.session)));
    const mine = present(h.session);
    h.backend.simulateOutsideSave(other.id, { ...other, description: "theirs" });
    await h.session.poll();
    await h.session.reloadTheirs();
    expect(present(h.session).description).toBe("theirs");
    expect(h.last()).toBe("Reloaded revision #2 by a colleague of 'billing'; Undo brings your version back.");
    h.session.undo();
    expect(present(h.session)).toBe(mine);
  });

  it("a save refused as stale shows the banner instead of saving", async () => {
    const h = harness();
    await h.session.start();
    h.session.commit(addProcess(present(h.session)));
    h.backend.simulateOutsideSave(other.id);
    await h.session.saveNow();
    expect(h.session.active?.state).toBe("conflict");
    expect(h.said.some((s) => s.text === "'billing' was changed outside the app; nothing was saved over it (see the banner)." && s.error)).toBe(true);
  });

  it("says once that a service open here was deleted elsewhere", async () => {
    const h = harness();
    await h.session.start();
    await h.backend.deleteService(other.id);
    await h.session.poll();
    await h.session.poll();
    expect(h.said.filter((s) => s.text.includes("no longer in the workspace"))).toHaveLength(1);
  });

  it("keeps the editor's service while another view fills the main area", async () => {
    const h = harness();
    await h.session.start();
    const shown = h.session.snapshot().shown;
    h.session.show({ kind: "application", application: "shop" });
    expect(h.session.snapshot()).toMatchObject({ view: { kind: "application", application: "shop" }, activeId: other.id, shown });
    await h.session.openService(other.id);
    expect(h.session.snapshot()).toMatchObject({ view: { kind: "editor" }, activeId: other.id, shown: shown + 1 });
    expect(h.last()).toBe("Editing 'billing' (saved).");
  });

  it("asks before switching workspace over unsaved edits, and stays on Cancel", async () => {
    const h = harness();
    await h.session.start();
    h.session.commit(addProcess(present(h.session)));
    h.backend.simulateOutsideSave(other.id);
    await h.session.poll();
    h.answers.push(null);
    await h.session.openSample();
    expect(h.asked.at(-1)?.title).toBe("Leave unsaved changes?");
    expect(h.session.active?.state).toBe("conflict");
    h.answers.push("");
    await h.session.openSample();
    expect(h.session.active).toMatchObject({ state: "saved", baseSeq: 2 });
    // The web preview has no file dialogs: it says what needs the desktop app.
    await h.session.openWorkspace();
    expect(h.last()).toBe("Opening a workspace file needs the desktop app.");
  });
});

describe("a workspace on a server", () => {
  it("asks for its URL and opens it; Cancel opens nothing", async () => {
    const h = harness();
    await h.session.start();
    const open = vi.spyOn(h.backend, "openWorkspace");
    h.answers.push(null);
    await h.session.openServer();
    expect(open).not.toHaveBeenCalled();
    h.answers.push("postgres://ana@db.example.com/threats");
    await h.session.openServer();
    expect(h.asked.at(-1)).toMatchObject({ title: "Open a workspace on a PostgreSQL server", input: "postgres://" });
    expect(open).toHaveBeenCalledWith("postgres://ana@db.example.com/threats");
    // The memory backend opens no workspace: the failure is said, the session keeps its own.
    expect(h.said.at(-1)).toMatchObject({ error: true });
    expect(h.last()).toContain("could not open postgres://ana@db.example.com/threats");
  });
});

describe("the sidebar's actions", () => {
  async function started() {
    const h = harness();
    await h.session.start();
    return { ...h, actions: serviceActions(h.session, h) };
  }

  it("renames a service, saving the editor first and reloading the renamed head", async () => {
    const h = await started();
    h.session.commit(addProcess(present(h.session)));
    h.answers.push("payments");
    await h.actions.rename(h.session.snapshot().info!.applications[0].services[0]);
    expect(h.session.active).toMatchObject({ name: "payments", state: "saved", baseSeq: 3 });
    expect(present(h.session)).toMatchObject({ name: "payments" });
    expect(present(h.session).elements).toHaveLength(1);
  });

  it("duplicates a service and opens the copy", async () => {
    const h = await started();
    h.answers.push("billing copy");
    await h.actions.duplicate(h.session.snapshot().info!.applications[0].services[0]);
    expect(h.session.active?.name).toBe("billing copy");
    expect(h.session.active?.serviceId).not.toBe(other.id);
    expect(h.session.snapshot().info!.applications[0].services.map((s) => s.name)).toEqual(["billing", "billing copy", "tiny"]);
  });

  it("deletes a service; the editor moves to the service opened before it, or to none", async () => {
    const h = await started();
    await h.session.openService(tiny.id);
    const [billing, tinyEntry] = h.session.snapshot().info!.applications[0].services;
    h.answers.push("");
    await h.actions.remove(tinyEntry);
    expect(h.session.active?.name).toBe("billing");
    h.answers.push("");
    await h.actions.remove(billing);
    expect(h.session.snapshot()).toMatchObject({ activeId: null, docs: [] });
    expect(h.session.snapshot().info!.applications[0].services).toEqual([]);
  });

  it("keeps the name dialog open on a name taken, and refuses an application that exists", async () => {
    const h = await started();
    h.answers.push("tiny");
    await h.actions.newService("shop");
    expect(h.session.snapshot().docs).toHaveLength(1);
    h.answers.push("shop");
    await h.actions.newApplication();
    expect(h.asked.map((r) => r.title)).toEqual(["New service in shop", "New application"]);
    h.answers.push("crm", "contacts");
    await h.actions.newApplication();
    expect(h.session.active).toMatchObject({ application: "crm", name: "contacts" });
  });
});

describe("session helpers", () => {
  it("updates one doc, and gives back the same list when nothing changes", async () => {
    const b = memoryBackend([{ id: "tiny", model: tiny, application: "shop" }], stencils, async () => ({}));
    const docs = [ws.openDoc(await b.loadService(tiny.id))];
    expect(updateDocIn(docs, tiny.id, (d) => d)).toBe(docs);
    expect(updateDocIn(docs, "nope", (d) => ({ ...d, name: "x" }))).toBe(docs);
    const next = updateDocIn(docs, tiny.id, (d) => ({ ...d, name: "x" }));
    expect(next).not.toBe(docs);
    expect(next[0].name).toBe("x");
  });

  it("starts on the service remembered if it is still there", async () => {
    const b = memoryBackend([{ id: "tiny", model: tiny, application: "shop" }, { id: "billing", model: other, application: "shop" }], stencils, async () => ({}));
    const info = await b.start();
    expect(startService(info, tiny.id)?.id).toBe(tiny.id);
    expect(startService(info, "gone")?.id).toBe(other.id);
    expect(startService({ ...info, applications: [] }, null)).toBeUndefined();
  });

  it("writes sizes in kB and MB", () => {
    expect([kB(10), kB(1536), kB(3 * 1024 * 1024)]).toEqual(["1 kB", "2 kB", "3.0 MB"]);
  });
});
