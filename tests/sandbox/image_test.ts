import assert from "node:assert/strict";
import { aptMirror, baseImageTag } from "../../lib/sandbox/mod.ts";

async function aptDir(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-apt-" });
  await Deno.mkdir(`${dir}/sources.list.d`);
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(`${dir}/${name}`, text);
  return dir;
}

Deno.test("aptMirror reads deb822 .sources files, skipping other suites and deb-src", async () => {
  const dir = await aptDir({
    "sources.list.d/debian.sources": [
      "Types: deb-src",
      "URIs: http://src.mirror.test/debian",
      "Suites: bookworm",
      "",
      "Types: deb",
      "# a comment",
      "URIs: http://main.mirror.test/debian http://second.mirror.test/debian",
      "Suites: bookworm bookworm-updates",
      "Components: main",
      "",
      "Types: deb",
      "URIs: http://security.mirror.test/debian-security",
      "Suites: bookworm-security",
      "",
    ].join("\n"),
  });
  try {
    assert.equal(aptMirror("bookworm", dir), "http://main.mirror.test/debian");
    assert.equal(aptMirror("bookworm-security", dir), "http://security.mirror.test/debian-security");
    assert.equal(aptMirror("trixie", dir), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("aptMirror reads one-line sources.list entries with options, and the override wins", async () => {
  const dir = await aptDir({
    "sources.list": [
      "# deb http://commented.mirror.test/debian bookworm main",
      "deb-src http://src.mirror.test/debian bookworm main",
      "deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://line.mirror.test/debian bookworm main",
    ].join("\n"),
  });
  const saved = Deno.env.get("EVALKIT_DEBIAN_MIRROR");
  try {
    Deno.env.delete("EVALKIT_DEBIAN_MIRROR");
    assert.equal(aptMirror("bookworm", dir), "http://line.mirror.test/debian");
    Deno.env.set("EVALKIT_DEBIAN_MIRROR", "http://override.mirror.test/debian");
    assert.equal(aptMirror("bookworm", dir), "http://override.mirror.test/debian");
  } finally {
    if (saved === undefined) Deno.env.delete("EVALKIT_DEBIAN_MIRROR");
    else Deno.env.set("EVALKIT_DEBIAN_MIRROR", saved);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("base image tags depend on the package set and suite, not on order or duplicates", async () => {
  const tag = await baseImageTag(["python3", "git"], "bookworm");
  assert.match(tag, /^evalkit-base:[0-9a-f]{16}$/);
  assert.equal(await baseImageTag(["git", "python3", "git"], "bookworm"), tag);
  assert.notEqual(await baseImageTag(["python3"], "bookworm"), tag);
  assert.notEqual(await baseImageTag(["python3", "git"], "trixie"), tag);
  await assert.rejects(
    () => baseImageTag(["python3", "rm -rf /"]),
    /invalid Debian package name "rm -rf \/"/,
  );
});
