// The window's keyboard shortcuts: each key press that names a command (commands.ts) runs it.

import { useEffect, useEffectEvent } from "react";
import { isTyping, shortcut, type Command, type KeyContext } from "./commands";

export function useShortcuts(at: Omit<KeyContext, "typing">, run: (command: Command) => void) {
  // Reads the latest `at` and `run` at each key press without registering the listener again.
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    const s = shortcut(e, { ...at, typing: isTyping(e.target) });
    if (!s) return;
    if (s.preventDefault) e.preventDefault();
    run(s.command);
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);
}
