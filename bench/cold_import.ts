/**
 * Cold import of each entry point: a script in a fresh folder outside the repository imports the entry
 * point by `file://` URL with an empty Deno cache (`DENO_DIR`), as a researcher's first notebook cell does.
 * Prints, per entry point, the npm packages downloaded (size on disk), whether any Docker client package
 * came with them, and the wall time of the first import (network included: compare runs on one machine).
 *
 *   deno run -A bench/cold_import.ts [entry …]     (default: stats frame protocol elicitation plot mod)
 */
import { fromFileUrl } from "../lib/util/path.ts";

const ROOT = fromFileUrl(new URL("../", import.meta.url)).replace(/\/$/, "");
const DOCKER = /^(dockerode|docker-modem|ssh2|cpu-features|@grpc)/;

async function sizeOf(path: string): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir(path)) {
    const child = `${path}/${entry.name}`;
    if (entry.isDirectory) total += await sizeOf(child);
    else if (entry.isFile) total += (await Deno.lstat(child)).size;
  }
  return total;
}

async function packagesIn(npmDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const registry of Deno.readDir(npmDir)) {
    if (!registry.isDirectory) continue;
    for await (const pkg of Deno.readDir(`${npmDir}/${registry.name}`)) {
      if (!pkg.isDirectory) continue;
      if (pkg.name.startsWith("@")) {
        for await (const scoped of Deno.readDir(`${npmDir}/${registry.name}/${pkg.name}`)) {
          names.push(`${pkg.name}/${scoped.name}`);
        }
      } else names.push(pkg.name);
    }
  }
  return names.sort();
}

const entries = Deno.args.length ? Deno.args : ["stats", "frame", "protocol", "elicitation", "plot", "mod"];
console.log("| entry point | npm packages | on disk | Docker client | first import |");
console.log("|---|---:|---:|---|---:|");
for (const entry of entries) {
  const work = await Deno.makeTempDir({ prefix: "evalkit-cold-" });
  try {
    await Deno.writeTextFile(
      `${work}/study.ts`,
      `import * as ek from "file://${ROOT}/${entry}.ts";\nconsole.log(Object.keys(ek).length);\n`,
    );
    const started = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-lock", "study.ts"],
      cwd: work,
      env: { DENO_DIR: `${work}/cache`, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const seconds = (performance.now() - started) / 1000;
    if (out.code !== 0) {
      console.log(`| ${entry}.ts | failed: ${new TextDecoder().decode(out.stderr).split("\n")[0]} | | | |`);
      continue;
    }
    const npmDir = `${work}/cache/npm`;
    const packages = await packagesIn(npmDir).catch(() => [] as string[]);
    const bytes = await sizeOf(npmDir).catch(() => 0);
    const docker = packages.filter((p) => DOCKER.test(p));
    console.log(
      `| \`${entry}.ts\` | ${packages.length} | ${(bytes / 2 ** 20).toFixed(1)} MB | ${
        docker.length ? `yes (${docker.join(", ")})` : "no"
      } | ${seconds.toFixed(1)} s |`,
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
