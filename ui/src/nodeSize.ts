// How tall an element's box must be to show its whole name and stencil, wrapped at word
// boundaries, instead of cutting them with an ellipsis. The editor's nodes, the flows placed
// around them, the application view's layout and the exported picture all use these sizes, so
// the name fits wherever the element is drawn. Text widths are estimates (no DOM here), rounded
// up: a box comes out a little roomy rather than cutting a name.

import type { Rect } from "./geometry";

/** 13 px semibold (the name) and 12 px regular (the stencil), per character, rounded up. */
export const NAME_CHAR = 7.8;
export const STENCIL_CHAR = 6.8;
/** Line heights: 1.2 × the font size, rounded up. */
export const NAME_LINE = 16;
export const STENCIL_LINE = 15;
/** Left and right padding and border of a node. */
const PAD_X = 24;
/** Top and bottom padding and border, with room for the data store's double lines. */
const PAD_Y = 20;

/** `text` on lines of at most `chars` characters, broken at spaces; a longer word is split. */
export function wrapWords(text: string, chars: number): string[] {
  const max = Math.max(1, Math.floor(chars));
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    for (let i = 0; i < word.length; i += max) {
      const piece = word.slice(i, i + max);
      if (line && line.length + 1 + piece.length > max) {
        lines.push(line);
        line = piece;
      } else line = line ? `${line} ${piece}` : piece;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** How many characters of each font fit on one line of a node `width` wide. */
export const nameChars = (width: number) => Math.max(4, Math.floor((width - PAD_X) / NAME_CHAR));
export const stencilChars = (width: number) => Math.max(4, Math.floor((width - PAD_X) / STENCIL_CHAR));

/** The height a node `width` wide needs for the whole name and stencil title. */
export function neededHeight(width: number, name: string, stencil = ""): number {
  const names = Math.max(1, wrapWords(name || "unnamed", nameChars(width)).length);
  const stencils = stencil ? wrapWords(stencil, stencilChars(width)).length : 0;
  return PAD_Y + names * NAME_LINE + stencils * STENCIL_LINE;
}

/** `rect` grown downwards (same top left, same width) until the name and stencil fit. */
export function fitElement<R extends Pick<Rect, "width" | "height">>(rect: R, name: string, stencil = ""): R {
  const height = Math.max(rect.height, Math.ceil(neededHeight(rect.width, name, stencil)));
  return height === rect.height ? rect : { ...rect, height };
}
