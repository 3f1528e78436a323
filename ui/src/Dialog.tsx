// A small modal dialog for questions and names, in place of window.prompt and window.confirm:
// the Tauri webview may block prompt, and confirm is unreliable in WebKitGTK under WebDriver.
// `useDialog` gives an `ask` that resolves with the text entered ("" for a plain OK) or null
// when cancelled.

import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";

export interface DialogRequest {
  title: string;
  message?: ReactNode;
  /** Ask for a text; its initial value. Left out: a plain confirmation. */
  input?: string;
  ok?: string;
  /** Hide Cancel (a notice). */
  notice?: boolean;
  danger?: boolean;
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
  const input = useRef<HTMLInputElement>(null);
  const ok = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (input.current) {
      input.current.focus();
      input.current.select();
    } else ok.current?.focus();
  }, []);
  const empty = request.input !== undefined && !value.trim();
  const submit = () => {
    if (!empty) onClose(request.input !== undefined ? value.trim() : "");
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
          else if (e.key === "Enter") { e.preventDefault(); submit(); }
        }}
      >
        <h2>{request.title}</h2>
        {request.message && <div className="sw-dialog__message">{request.message}</div>}
        {request.input !== undefined && (
          <input ref={input} className="sw-dialog__input" data-testid="dialog-input" value={value} onChange={(e) => setValue(e.target.value)} />
        )}
        <div className="sw-dialog__buttons">
          {!request.notice && <button className="sw-button" data-testid="dialog-cancel" onClick={() => onClose(null)}>Cancel</button>}
          <button ref={ok} className={request.danger ? "sw-button sw-button--danger" : "sw-button sw-button--primary"} data-testid="dialog-ok" disabled={empty} onClick={submit}>
            {request.ok ?? "OK"}
          </button>
        </div>
      </div>
    </div>
  );
}
