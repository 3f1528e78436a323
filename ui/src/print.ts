// Printing the diagram shown (File › Print…, Ctrl+P): the same picture that "Export diagram as
// SVG" writes (the whole diagram, whatever part of it the canvas shows), under its title, on a
// page of its own. The webview prints the document; the print stylesheet (theme.css, @media
// print) hides the window's own content and shows only this sheet.

export interface PrintedPicture {
  title: string;
  svg: string;
}

const SHEET_ID = "sw-print";

/** Puts `picture` on the print sheet and opens the webview's print dialog. */
export function printPicture(picture: PrintedPicture, doc: Document = document, win: Pick<Window, "print"> = window): void {
  const parsed = new DOMParser().parseFromString(picture.svg, "image/svg+xml");
  const svg = parsed.documentElement;
  if (svg.nodeName !== "svg" || parsed.getElementsByTagName("parsererror").length) throw new Error("the diagram's picture is not a well-formed SVG");
  let sheet = doc.getElementById(SHEET_ID);
  if (!sheet) {
    sheet = doc.createElement("div");
    sheet.id = SHEET_ID;
    sheet.className = "sw-print";
    doc.body.appendChild(sheet);
  }
  const heading = doc.createElement("h1");
  heading.textContent = picture.title;
  // Kept after printing (hidden on screen): the print dialog may read the page after print() returns.
  sheet.replaceChildren(heading, doc.importNode(svg, true));
  win.print();
}
