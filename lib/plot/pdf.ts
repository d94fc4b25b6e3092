/**
 * SVG → PDF with Debian's `rsvg-convert` (librsvg2-bin): vector output with text kept as text, fonts from
 * fontconfig (DejaVu Sans on these machines), no browser needed.
 *
 * @module
 */
import { SetupError } from "../util/setup_error.ts";

/** The apt line that installs `rsvg-convert`. */
export const RSVG_APT_LINE = "apt-get install -y --no-install-recommends librsvg2-bin";

/** Path of `rsvg-convert`, or a SetupError with the apt line. */
export function findRsvgConvert(): string {
  for (const p of ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"]) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* try the next */ }
  }
  throw new SetupError("rsvg-convert not found (needed for PDF figures)", RSVG_APT_LINE);
}

/** Convert standalone SVG markup to PDF bytes (page size = the SVG's size in CSS px at 96 dpi). */
export async function svgToPdf(svg: string): Promise<Uint8Array> {
  const child = new Deno.Command(findRsvgConvert(), {
    args: ["--format=pdf"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(svg));
  await writer.close();
  const out = await child.output();
  if (!out.success) {
    throw new Error(
      `rsvg-convert failed (${out.code}): ${new TextDecoder().decode(out.stderr).slice(0, 500)}`,
    );
  }
  return out.stdout;
}
