/**
 * Checks that headless notebook execution can work on this machine: Debian's Python with jupyter_client
 * and nbformat (the executor's imports), and the Deno Jupyter kernel. Each failure says exactly what to run.
 *
 * @module
 */
import { SetupError } from "../util/setup_error.ts";

/** Debian's Python (the default `python3` on PATH may be a different one without Jupyter). */
export const DEBIAN_PYTHON = "/usr/bin/python3";
/** The apt line that installs what headless execution needs. */
export const JUPYTER_APT_LINE =
  "apt-get install -y --no-install-recommends jupyter-client jupyter-core python3-nbconvert python3-ipykernel python3-nbclient";
/** The apt line that installs the headless browser used by the report's browser check. */
export const CHROMIUM_APT_LINE = "apt-get install -y chromium";
async function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } catch (e) {
    return { code: -1, stdout: "", stderr: (e as Error).message };
  }
}

/** Names of the Jupyter kernels registered for Debian's Python. */
export async function kernelNames(python = DEBIAN_PYTHON): Promise<string[]> {
  const r = await run(python, [
    "-c",
    "import json; from jupyter_client.kernelspec import KernelSpecManager as K; print(json.dumps(sorted(K().find_kernel_specs())))",
  ]);
  if (r.code !== 0) return [];
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "[]");
}

/** Options for {@link ensureJupyter}. */
export interface EnsureJupyterOptions {
  python?: string;
  /** Register the Deno kernel (`deno jupyter --install`) when it is missing; default true. */
  installKernel?: boolean;
}

/**
 * Verify jupyter_client/nbformat and the Deno kernel; registers the kernel when missing (it is a per-user
 * kernelspec file, harmless to write).
 * @throws SetupError with the fixing command.
 */
export async function ensureJupyter(options: EnsureJupyterOptions = {}): Promise<void> {
  const python = options.python ?? DEBIAN_PYTHON;
  const mods = await run(python, ["-c", "import nbformat, jupyter_client"]);
  if (mods.code !== 0) {
    throw new SetupError(
      `${python} cannot import nbformat/jupyter_client (${mods.stderr.trim().split("\n").pop()})`,
      JUPYTER_APT_LINE,
    );
  }
  if ((await kernelNames(python)).includes("deno")) return;
  if (options.installKernel === false) {
    throw new SetupError("the Deno Jupyter kernel is not registered", "deno jupyter --install");
  }
  const install = await run(Deno.execPath(), ["jupyter", "--install"]);
  if (install.code !== 0 || !(await kernelNames(python)).includes("deno")) {
    throw new SetupError(
      `registering the Deno kernel failed: ${install.stderr.trim()}`,
      "deno jupyter --install",
    );
  }
}

/** Path of a Chromium binary, or a SetupError with the apt line. */
export function findChromium(): string {
  for (const p of ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"]) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* try the next */ }
  }
  throw new SetupError("no Chromium found (looked for /usr/bin/chromium)", CHROMIUM_APT_LINE);
}
