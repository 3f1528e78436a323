// The menu bar on screen (menuBar.ts says what is in it): a click on a title, or Alt+its letter,
// opens the menu under it (the context menu's component: arrows, Enter, Esc); ←/→ in an open
// menu move to the next menu, as in a native menu bar.

import { useEffect, useEffectEvent, useRef, useState } from "react";
import type { Command, CommandTarget } from "./commands";
import { ContextMenu } from "./ContextMenu";
import { menuForMnemonic, type BarItem, type Menu } from "./menuBar";

export function MenuBar({ menus, run }: { menus: Menu[]; run: (command: Command, target: CommandTarget) => void }) {
  const [open, setOpen] = useState<number | null>(null);
  const titles = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    const i = menuForMnemonic(menus, e);
    if (i === null) return;
    e.preventDefault();
    setOpen(i);
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);
  const menu = open === null ? null : menus[open];
  const at = open === null ? null : titles.current[open]?.getBoundingClientRect();
  const items = new Map<Command | string, BarItem>();
  // The context menu runs a command by name; the recent workspaces share one, so they are told
  // apart by their position in the menu.
  const groups = menu?.groups.map((g) => g.map((item, i) => {
    const id = item.path !== undefined ? (`${item.command}:${i}` as Command) : item.command;
    items.set(id, item);
    return { ...item, command: id };
  }));
  return (
    <div className="sw-menubar-keys"
      onKeyDown={(e) => {
        if (open === null || (e.key !== "ArrowLeft" && e.key !== "ArrowRight")) return;
        e.preventDefault();
        setOpen((open + (e.key === "ArrowRight" ? 1 : menus.length - 1)) % menus.length);
      }}>
    <div className="sw-menubar" role="menubar" aria-label="Main menu" data-testid="menubar">
      {menus.map((m, i) => (
        <button key={m.title} ref={(el) => { titles.current[i] = el; }} role="menuitem" aria-haspopup="menu" aria-expanded={open === i}
          className={open === i ? "sw-menubar__title sw-menubar__title--open" : "sw-menubar__title"} data-testid={`menu-${m.title.toLowerCase()}`}
          onClick={() => setOpen(open === i ? null : i)}>
          <u>{m.title[0]}</u>{m.title.slice(1)}
        </button>
      ))}
    </div>
      {menu && groups && at && (
        <ContextMenu
          key={menu.title}
          menu={{
            x: at.left,
            y: at.bottom,
            groups,
            label: `${menu.title} menu`,
            run: (id) => {
              const item = items.get(id);
              if (item) run(item.command, item.path !== undefined ? { path: item.path } : {});
            },
          }}
          onClose={() => setOpen((o) => (o === open ? null : o))}
        />
      )}
    </div>
  );
}
