// The diagram shown as a picture: exported as SVG or PNG, or printed. What is shown is the
// application view's diagram or the service in the editor (App says which, as `picture`).

import { download, fileNameOf, svgToPng } from "./picture";
import { printPicture, type PrintedPicture } from "./print";
import { kB } from "./session";

export function usePictureExport(picture: () => PrintedPicture | null | undefined, say: (text: string, error?: boolean) => void) {
  const exportAs = async (format: "svg" | "png") => {
    const shown = picture();
    if (!shown) return say("there is no diagram to export here", true);
    try {
      const blob = format === "svg" ? new Blob([shown.svg], { type: "image/svg+xml" }) : await svgToPng(shown.svg);
      const name = fileNameOf(shown.title, format);
      await download(name, blob);
      say(`Exported the diagram as ${name} (${kB(blob.size)})`);
    } catch (e) {
      say(`could not export the diagram: ${e instanceof Error ? e.message : String(e)}`, true);
    }
  };
  const print = () => {
    const shown = picture();
    if (!shown) return say("there is no diagram to print here", true);
    try {
      printPicture(shown);
    } catch (e) {
      say(`could not print the diagram: ${e instanceof Error ? e.message : String(e)}`, true);
    }
  };
  return { exportAs, print };
}
