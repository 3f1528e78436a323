// A small modal dialog for questions and names, in place of window.prompt and window.confirm:
// the Tauri webview may block prompt, and confirm is unreliable in WebKitGTK under WebDriver.
// `useDialog` gives an `ask` that resolves with the text entered ("" for a plain OK) or null
// when cancelled.

import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { errorMessage } from "./api";

export interface DialogRequest {
  title: string;
  message?: ReactNode;
  /** Ask for a text; its initial value. Left out: a plain confirmation. */
  input?: string;
  ok?: string;
  /** Hide Cancel (a notice). */
  notice?: boolean;
  danger?: boolean;
  /** Runs on OK with the text; if it throws, the dialog stays open and shows why (a name
   *  already taken can be corrected in place). */
  run?: (value: string) => Promise<void>;
}

export type Ask = (request: DialogRequest) => Promise<string | null>;

export function useDialog(): [ReactNode, Ask] {
  const [open, setOpen] = useState<{ request: DialogRequest; resolve: (v: string | null) => void } | null>(null);
  const ask = useCallback<Ask>(
    (request) => new Promise((resolve) => setOpen({ request, resolve })),
    [],
  );
  const close = useCallback(
    (v: string | null) => {
      open?.resolve(v);
      setOpen(null);
    },
    [open],
  );
  const element = open ? <Dialog key={open.request.title} request={open.request} onClose={close} /> : null;
  return [element, ask];
}

function Dialog({ request, onClose }: { request: DialogRequest; onClose: (v: string | null) => void }) {
  const [value, setValue] = useState(request.input ?? "");
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const ok = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (input.current) {
      input.current.focus();
      input.current.select();
    } else ok.current?.focus();
  }, []);
  const empty = request.input !== undefined && !value.trim();
  const submit = async () => {
    if (empty || running) return;
    const v = request.input !== undefined ? value.trim() : "";
    if (request.run) {
      setRunning(true);
      try {
        await request.run(v);
      } catch (e) {
        setError(errorMessage(e));
        setRunning(false);
        input.current?.focus();
        return;
      }
    }
    onClose(v);
  };
  return (
    <div className="sw-overlay" onMouseDown={() => onClose(null)}>
      <div
        className="sw-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={request.title}
        data-testid="dialog"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === "Escape") onClose(null);
          else if (e.key === "Enter") { e.preventDefault(); void submit(); }
        }}
      >
        <h2>{request.title}</h2>
        {request.message && <div className="sw-dialog__message">{request.message}</div>}
        {request.input !== undefined && (
          <input ref={input} className="sw-dialog__input" data-testid="dialog-input" value={value} onChange={(e) => { setValue(e.target.value); setError(null); }} />
        )}
        {error && <p className="sw-error sw-dialog__error" data-testid="dialog-error" role="alert">{error}</p>}
        <div className="sw-dialog__buttons">
          {!request.notice && <button className="sw-button" data-testid="dialog-cancel" onClick={() => onClose(null)}>Cancel</button>}
          <button ref={ok} className={request.danger ? "sw-button sw-button--danger" : "sw-button sw-button--primary"} data-testid="dialog-ok" disabled={empty || running} onClick={() => void submit()}>
            {request.ok ?? "OK"}
          </button>
        </div>
      </div>
    </div>
  );
}
