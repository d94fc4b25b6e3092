/**
 * SVG → PNG for papers and slides, with resvg compiled to WebAssembly and a real font (DejaVu Sans from
 * Debian's fonts-dejavu-core, or a TTF named by `EVALKIT_FONT`). No browser is needed.
 *
 * @module
 */
import { initWasm, Resvg, RESVG_WASM_URL } from "../deps/resvg.ts";
import { fileURLToPath } from "node:url";
import { SetupError } from "../util/setup_error.ts";

/** The apt line that installs the font used to rasterise figures. */
export const FONT_APT_LINE = "apt-get install -y fonts-dejavu-core";

/** Default font for rasterising figures. */
export const DEFAULT_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

let wasmReady: Promise<void> | null = null;

function ensureWasm(): Promise<void> {
  if (!wasmReady) {
    wasmReady = (async () => {
      await initWasm(await Deno.readFile(fileURLToPath(RESVG_WASM_URL)));
    })();
  }
  return wasmReady;
}

const fontCache = new Map<string, Uint8Array>();

function loadFont(path: string): Uint8Array {
  let bytes = fontCache.get(path);
  if (!bytes) {
    try {
      bytes = Deno.readFileSync(path);
    } catch {
      throw new SetupError(`font not found at ${path} (set EVALKIT_FONT to a .ttf file)`, FONT_APT_LINE);
    }
    fontCache.set(path, bytes);
  }
  return bytes;
}

/** Options for {@link svgToPng}. */
export interface PngOptions {
  /** Output scale relative to the SVG's own size; default 2 (sharp on slides). */
  scale?: number;
  /** Path to a TrueType font; default `EVALKIT_FONT` or {@link DEFAULT_FONT}. */
  fontPath?: string;
  /** Background colour; default white (Plot's SVGs are transparent). */
  background?: string;
}

/**
 * The main `<svg>` of figure markup. Observable Plot wraps a figure with a legend or caption in
 * `<figure>`, where small swatch SVGs come before the chart: the longest top-level `<svg>` is the chart.
 */
export function outerSvg(markup: string): string {
  const re = /<svg[\s>]|<\/svg>/g;
  let depth = 0;
  let start = -1;
  let best = "";
  for (let m = re.exec(markup); m; m = re.exec(markup)) {
    if (m[0].startsWith("</")) {
      depth--;
      if (depth === 0 && start >= 0) {
        const candidate = markup.slice(start, m.index + m[0].length);
        if (candidate.length > best.length) best = candidate;
      }
      if (depth < 0) break;
    } else {
      if (depth === 0) start = m.index;
      depth++;
    }
  }
  if (best === "") throw new Error("no complete <svg> element in figure markup");
  return ensureNamespace(best);
}

function ensureNamespace(svg: string): string {
  return /^<svg[^>]*\sxmlns=/.test(svg)
    ? svg
    : svg.replace(/^<svg/, '<svg xmlns="http://www.w3.org/2000/svg"');
}

/** Rasterise SVG markup to PNG bytes. */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  await ensureWasm();
  const fontPath = options.fontPath ?? Deno.env.get("EVALKIT_FONT") ?? DEFAULT_FONT;
  const font = loadFont(fontPath);
  const resvg = new Resvg(outerSvg(svg), {
    background: options.background ?? "white",
    fitTo: { mode: "zoom", value: options.scale ?? 2 },
    font: {
      fontBuffers: [font],
      loadSystemFonts: false,
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
    },
  });
  const png = resvg.render().asPng();
  resvg.free();
  return png;
}
