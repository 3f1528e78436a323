// What the sidebar offers on services and applications: create, rename, duplicate, delete,
// export and import services, make an application, export its report. Each asks through the
// app's dialog, calls the backend, tells the session (so the editor and the sidebar follow) and
// says what happened. No React state of its own: the tests run these with the memory backend and
// a scripted dialog.

import type { Backend } from "./api";
import { errorMessage } from "./api";
import type { LoadedService } from "./bindings/LoadedService";
import type { ServiceEntry } from "./bindings/ServiceEntry";
import type { Ask } from "./Dialog";
import { kB, type Say, type WorkspaceSession } from "./session";
import * as ws from "./workspace";

export interface ServiceActions {
  rename(s: ServiceEntry): Promise<void>;
  duplicate(s: ServiceEntry): Promise<void>;
  remove(s: ServiceEntry): Promise<void>;
  exportModel(s: ServiceEntry): Promise<void>;
  newService(application: string): Promise<void>;
  newApplication(): Promise<void>;
  importInto(application: string): Promise<void>;
  exportReport(application: string): Promise<void>;
}

export function serviceActions(session: WorkspaceSession, { backend, ask, say }: { backend: Backend; ask: Ask; say: Say }): ServiceActions {
  /** Asks for a name and creates the service (the dialog stays open on "name_taken"), then opens it. */
  const askForService = async (title: string, application: string): Promise<LoadedService | null> => {
    let loaded: LoadedService | null = null;
    await ask({
      title,
      input: "New service",
      ok: "Create",
      run: async (name) => {
        try {
          loaded = await backend.createService(application, name);
        } catch (e) {
          say(`could not create '${name}' in ${application}: ${errorMessage(e)}`, true);
          throw e;
        }
      },
    });
    if (!loaded) return null;
    const created: LoadedService = loaded;
    await session.poll();
    await session.openLoaded(created);
    return created;
  };

  return {
    async rename(s) {
      const name = await ask({
        title: `Rename '${s.name}'`,
        message: `A new name for the service in ${s.application}.`,
        input: s.name,
        ok: "Rename",
        run: async (name) => {
          if (name === s.name) return;
          try {
            // The rename is a revision of the model (its name is part of it): save what the
            // editor has first, then load the renamed head, so autosave cannot put the old
            // name back. Undo in the editor then undoes the rename like any other edit.
            await session.flush(true);
            await backend.renameService(s.id, name);
            if (session.snapshot().docs.some((d) => d.serviceId === s.id)) await session.reloadDoc(s.id, false);
          } catch (e) {
            say(`could not rename '${s.name}': ${errorMessage(e)}`, true);
            throw e;
          }
        },
      });
      if (!name || name === s.name) return;
      say(`Renamed '${s.name}' to '${name}'.`);
      await session.poll();
    },

    async duplicate(s) {
      await session.flush(true);
      let loaded: LoadedService | null = null;
      await ask({
        title: `Duplicate '${s.name}'`,
        message: "The copy gets fresh ids; its name:",
        input: `${s.name} copy`,
        ok: "Duplicate",
        run: async (name) => {
          try {
            loaded = await backend.duplicateService(s.id, name);
          } catch (e) {
            say(`could not duplicate '${s.name}': ${errorMessage(e)}`, true);
            throw e;
          }
        },
      });
      if (!loaded) return;
      const copy: LoadedService = loaded;
      await session.poll();
      await session.openLoaded(copy);
      say(`Duplicated '${s.name}' as '${copy.service.name}'.`);
    },

    async remove(s) {
      const d = session.snapshot().docs.find((x) => x.serviceId === s.id);
      const ok = await ask({
        title: `Delete '${s.name}'?`,
        message: `'${s.name}' leaves the services of ${s.application}. ${s.revisions === 1 ? "Its revision stays" : `Its ${s.revisions} revisions stay`} in the workspace file.${d && ws.isDirty(d) ? " Its unsaved changes are lost." : ""}`,
        ok: "Delete",
        danger: true,
      });
      if (ok === null) return;
      try {
        await backend.deleteService(s.id);
        session.closeDoc(s.id);
        say(`Deleted '${s.name}' (its revisions stay in the file).`);
        await session.poll();
      } catch (e) {
        say(`could not delete '${s.name}': ${errorMessage(e)}`, true);
      }
    },

    async exportModel(s) {
      await session.flush(true);
      try {
        const path = await backend.pickSavePath("model", `${s.name}.stride.json`);
        if (!path) return session.noPath("Exporting a model file");
        await backend.exportService(s.id, path);
        say(`Exported '${s.name}' to ${path}.`);
      } catch (e) {
        say(`could not export '${s.name}': ${errorMessage(e)}`, true);
      }
    },

    async newService(application) {
      const loaded = await askForService(`New service in ${application}`, application);
      if (loaded) say(`Created '${loaded.service.name}' in ${application}.`);
    },

    async newApplication() {
      const application = await ask({ title: "New application", message: "The application's name (its first service comes next).", input: "New application", ok: "Next" });
      if (!application) return;
      if (session.snapshot().info?.applications.some((a) => a.name === application)) {
        say(`there is already an application named '${application}'; add a service to it with its + button`, true);
        return;
      }
      const loaded = await askForService(`First service of ${application}`, application);
      if (loaded) say(`Created the application ${application} with '${loaded.service.name}'.`);
    },

    async importInto(application) {
      try {
        const path = await backend.pickOpenPath("import");
        if (!path) return session.noPath("Importing models");
        const outcome = await backend.importModels(application, path);
        await session.poll();
        const names = outcome.services.map((s) => `'${s.name}'`).join(", ");
        say(`Imported ${outcome.services.length} service${outcome.services.length === 1 ? "" : "s"} (${outcome.format}) into ${application}: ${names}.`);
        if (outcome.notes.length)
          await ask({
            title: `Imported from ${outcome.format}`,
            message: <><p>What could not be mapped:</p><ul>{outcome.notes.map((n, i) => <li key={i}>{n}</li>)}</ul></>,
            notice: true,
          });
      } catch (e) {
        say(`could not import into ${application}: ${errorMessage(e)}`, true);
      }
    },

    async exportReport(application) {
      await session.flush(true);
      try {
        const path = await backend.pickSavePath("report", `${application}-report.html`);
        if (!path) return session.noPath("Exporting a report");
        const written = await backend.exportReport(application, path);
        say(`Report of ${application} written to ${written.path} (${kB(written.bytes)}, ${written.threats} threats).`);
        try {
          await backend.openExternal(written.path);
        } catch (e) {
          say(`Report written to ${written.path} (${kB(written.bytes)}), but it could not be opened: ${errorMessage(e)}`, true);
        }
      } catch (e) {
        say(`could not export the report of ${application}: ${errorMessage(e)}`, true);
      }
    },
  };
}
