// The context menu on screen: at the pointer (kept inside the window), keyboard-operable (arrows,
// Home/End, Enter or Space, Esc), closed by a click elsewhere, Esc, or choosing an item.

import { useEffect, useLayoutEffect, useRef, useState } from "react";
import type { Command } from "./commands";
import type { MenuItem } from "./contextMenu";

export interface OpenMenu {
  x: number;
  y: number;
  groups: MenuItem[][];
  /** What the menu is about, for tests and screen readers. */
  label: string;
  run: (command: Command) => void;
}

export function ContextMenu({ menu, onClose }: { menu: OpenMenu; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState({ x: menu.x, y: menu.y });
  useLayoutEffect(() => {
    const r = ref.current?.getBoundingClientRect();
    if (!r) return;
    setPos({ x: Math.max(4, Math.min(menu.x, window.innerWidth - r.width - 4)), y: Math.max(4, Math.min(menu.y, window.innerHeight - r.height - 4)) });
    ref.current?.querySelector<HTMLButtonElement>("button:not(:disabled)")?.focus();
  }, [menu]);
  useEffect(() => {
    const away = (e: Event) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    window.addEventListener("pointerdown", away, true);
    window.addEventListener("resize", onClose);
    return () => {
      window.removeEventListener("pointerdown", away, true);
      window.removeEventListener("resize", onClose);
    };
  }, [onClose]);
  const onKeyDown = (e: React.KeyboardEvent) => {
    const items = [...(ref.current?.querySelectorAll<HTMLButtonElement>("button:not(:disabled)") ?? [])];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    const go = (j: number) => items[(j + items.length) % items.length]?.focus();
    if (e.key === "ArrowDown") go(i + 1);
    else if (e.key === "ArrowUp") go(i - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(items.length - 1);
    else if (e.key === "Escape" || e.key === "Tab") onClose();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <div ref={ref} className="sw-menu" role="menu" aria-label={menu.label} data-testid="context-menu" style={{ left: pos.x, top: pos.y }} onKeyDown={onKeyDown}
      onContextMenu={(e) => e.preventDefault()}>
      {menu.groups.map((g, gi) => (
        <div key={gi} className="sw-menu__group" role="group">
          {g.map((item) => (
            <button key={item.command} role="menuitem" className={item.danger ? "sw-menu__item sw-menu__item--danger" : "sw-menu__item"} disabled={item.disabled}
              data-command={item.command}
              onClick={() => {
                onClose();
                menu.run(item.command);
              }}>
              <span>{item.label}</span>
              {item.keys && <kbd>{item.keys}</kbd>}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
