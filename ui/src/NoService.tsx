// What the main area shows when no service is open in the editor.

export function NoService({ opening }: { opening: boolean }) {
  return (
    <div className="sw-empty sw-canvas__empty" data-testid="no-service">
      <h2>No service open</h2>
      <p>{opening ? "Opening the workspace…" : "Pick a service in the sidebar, or make one with + next to an application (or + New application)."}</p>
    </div>
  );
}
