// The keyboard shortcuts, shown with `?`.

export const SHORTCUTS: [string, string][] = [
  ["?", "Show or hide this help"],
  ["Ctrl+Z", "Undo"],
  ["Ctrl+Shift+Z  /  Ctrl+Y", "Redo"],
  ["Ctrl+C  /  Ctrl+V", "Copy and paste the selection"],
  ["Ctrl+D", "Duplicate the selection"],
  ["Delete  /  Backspace", "Delete the selection"],
  ["Ctrl+A", "Select everything"],
  ["Shift+drag", "Box-select"],
  ["Ctrl+click", "Add to the selection"],
  ["E  /  P  /  D", "Add an external entity, process or data store"],
  ["B", "Add a trust boundary"],
  ["L", "Lay the diagram out automatically"],
  ["F", "Fit the diagram to the window"],
  ["Ctrl+S", "Save now (edits are also saved automatically, 0.8 s after the last one)"],
  ["Ctrl+O", "Open a workspace file"],
  ["Ctrl+P", "Print the diagram shown"],
  ["Esc", "Clear the selection, close this help"],
];

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <div className="sw-overlay" onClick={onClose} data-testid="help">
      <div className="sw-help" onClick={(e) => e.stopPropagation()} role="dialog" aria-label="Keyboard shortcuts">
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map(([k, v]) => (
              <tr key={k}><td><kbd>{k}</kbd></td><td>{v}</td></tr>
            ))}
          </tbody>
        </table>
        <p className="sw-muted">Drag from a handle to another element to draw a data flow. Drop elements into a trust boundary to put them in it.</p>
        <button className="sw-button" onClick={onClose}>Close</button>
      </div>
    </div>
  );
}
