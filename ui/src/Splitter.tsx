// A draggable edge between a side panel and the diagram. Dragging (or the arrow keys when it has
// focus) changes the panel's width; `side` says which way the panel lies from the edge, so that
// dragging towards the diagram widens the panel.

import { useRef, type KeyboardEvent, type PointerEvent } from "react";

export function Splitter({ label, width, side, onResize, className, testId }: {
  label: string;
  width: number;
  /** Where the panel is: "left" (the sidebar) or "right" (the side panels). */
  side: "left" | "right";
  onResize: (width: number, done: boolean) => void;
  className: string;
  testId: string;
}) {
  const start = useRef<{ x: number; width: number } | null>(null);
  const sign = side === "left" ? 1 : -1;
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    start.current = { x: e.clientX, width };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (start.current) onResize(start.current.width + sign * (e.clientX - start.current.x), false);
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    if (!start.current) return;
    onResize(start.current.width + sign * (e.clientX - start.current.x), true);
    start.current = null;
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 48 : 16;
    if (e.key === "ArrowLeft") onResize(width - sign * step, true);
    else if (e.key === "ArrowRight") onResize(width + sign * step, true);
    else return;
    e.preventDefault();
  };
  return (
    <div
      className={`sw-splitter ${className}`}
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuenow={width}
      tabIndex={0}
      title={`${label}: drag to resize`}
      data-testid={testId}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
    />
  );
}
