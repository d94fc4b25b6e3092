/**
 * Host-side file access never trusts the agent's tree (issue #10, class 2, 3 and 5): reads run as the agent,
 * refuse links and special files and are capped; copies out are made without following links and unpacked
 * by our own tar reader into a fresh folder; agent-owned writes get the agent's rights only. Every probe runs
 * in the real sandboxes (both drivers where available), plus the tar reader against hand-made hostile
 * archives no real tar would produce.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { type Sandbox, SandboxFileError } from "../../lib/sandbox/mod.ts";
import type { BaseSandbox } from "../../lib/sandbox/base.ts";
import { extractArchive } from "../../lib/sandbox/safe_untar.ts";
import { testDrivers } from "../util/drivers.ts";

const SECRET = "FLAG{host-io-probe-7f3a}";
const MiB = 1024 * 1024;

/** Every path under `dir` (lstat, links not followed), with what it is and its mode. */
async function walk(dir: string): Promise<{ path: string; kind: string; mode: number }[]> {
  const out: { path: string; kind: string; mode: number }[] = [];
  const pending = [dir];
  while (pending.length) {
    const current = pending.pop()!;
    for await (const entry of Deno.readDir(current)) {
      const path = join(current, entry.name);
      const info = await Deno.lstat(path);
      const kind = info.isSymlink ? "symlink" : info.isDirectory ? "dir" : info.isFile ? "file" : "other";
      out.push({ path, kind, mode: (info.mode ?? 0) & 0o7777 });
      if (kind === "dir") pending.push(path);
    }
  }
  return out;
}

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-host-io-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function mustExec(
  sandbox: Sandbox,
  command: string,
  user: "agent" | "root" = "agent",
): Promise<string> {
  const result = await sandbox.exec(command, { user, timeoutMs: 60_000 });
  assert.equal(result.exitCode, 0, `${command}: ${result.stderr}`);
  return result.stdout;
}

for (const { name, driver, skip } of await testDrivers()) {
  const test = (title: string, body: (sandbox: Sandbox) => Promise<void>) =>
    Deno.test({
      name: `${name} sandbox host I/O: ${title}`,
      ignore: !driver,
      sanitizeResources: false,
      sanitizeOps: false,
      fn: async () => {
        const sandbox = await driver!.create({
          label: `host-io ${title}`,
          packages: name === "docker" ? ["python3"] : [],
        });
        try {
          await body(sandbox);
        } finally {
          await sandbox.close();
        }
      },
    });
  if (skip) console.warn(skip);

  test("a submission linked to a root-only file is refused and the secret never shows", async (sandbox) => {
    await sandbox.writeFile("/root/flag.txt", SECRET + "\n", { owner: "root", mode: 0o600 });
    await mustExec(sandbox, "ln -s /root/flag.txt /home/agent/submission.txt");
    const refused = await assert.rejects(
      () => sandbox.readTextFile("/home/agent/submission.txt"),
      (error) => {
        assert.ok(error instanceof SandboxFileError);
        assert.match(error.message, /submission\.txt/);
        assert.match(error.message, /symbolic link/);
        assert.doesNotMatch(error.message, /FLAG\{/);
        return true;
      },
    );
    assert.equal(refused, undefined);
    // Even told to follow the link, the read runs as the agent: permission denied, no secret.
    await assert.rejects(
      () => sandbox.readTextFile("/home/agent/submission.txt", { allowSpecial: true }),
      (error: Error) => /Permission denied/.test(error.message) && !error.message.includes(SECRET),
    );
    // A hard link is impossible for the agent (protected_hardlinks / no read right), and a direct read too.
    await assert.rejects(() => sandbox.readTextFile("/root/flag.txt"), /Permission denied/);
    // A parent directory linked to /root gets the agent's rights only.
    await mustExec(sandbox, "ln -s /root /home/agent/private");
    await assert.rejects(
      () => sandbox.readTextFile("/home/agent/private/flag.txt"),
      (error: Error) => /Permission denied/.test(error.message) && !error.message.includes(SECRET),
    );
    // Root may still read its own files, on request.
    assert.equal(await sandbox.readTextFile("/root/flag.txt", { as: "root" }), SECRET + "\n");
    // A plain agent file reads as before.
    await sandbox.writeFile("/home/agent/answer.txt", "42\n");
    assert.equal(await sandbox.readTextFile("/home/agent/answer.txt"), "42\n");
  });

  test("links to /dev/zero and FIFOs are refused at once; host memory stays bounded", async (sandbox) => {
    await mustExec(sandbox, "ln -s /dev/zero /home/agent/submission.txt && mkfifo /home/agent/pipe.txt");
    let started = performance.now();
    await assert.rejects(() => sandbox.readFile("/home/agent/submission.txt"), /symbolic link/);
    assert.ok(performance.now() - started < 20_000, "refused quickly");
    started = performance.now();
    await assert.rejects(() => sandbox.readFile("/home/agent/pipe.txt"), /fifo/);
    assert.ok(performance.now() - started < 20_000, "a FIFO never blocks the read");
    await assert.rejects(() => sandbox.readFile("/home/agent"), /directory/);
    // Asked to read the endless device itself, the read stops at the cap: the host holds cap + 1 bytes.
    const before = Deno.memoryUsage().rss;
    started = performance.now();
    await assert.rejects(
      () => sandbox.readFile("/dev/zero", { allowSpecial: true, maxBytes: 4 * MiB }),
      /larger than the read cap of 4194304 bytes/,
    );
    assert.ok(performance.now() - started < 60_000, "the capped read of /dev/zero ends");
    assert.ok(Deno.memoryUsage().rss - before < 256 * MiB, "host memory stayed bounded");
  });

  test("an over-cap file fails naming the path and the cap; a raised maxBytes reads it", async (sandbox) => {
    await mustExec(sandbox, "head -c 20000000 /dev/zero | tr '\\0' a > /home/agent/big.txt");
    await assert.rejects(() => sandbox.readFile("/home/agent/big.txt"), (error: Error) => {
      assert.match(error.message, /\/home\/agent\/big\.txt/);
      assert.match(error.message, new RegExp(`read cap of ${16 * MiB} bytes`));
      assert.match(error.message, /maxBytes/);
      return true;
    });
    const bytes = await sandbox.readFile("/home/agent/big.txt", { maxBytes: 20_000_000 });
    assert.equal(bytes.length, 20_000_000);
    assert.equal(bytes[19_999_999], "a".charCodeAt(0));
    await assert.rejects(() => sandbox.readFile("/home/agent/big.txt", { maxBytes: 19_999_999 }), /19999999/);
  });

  test("copyOut of a hostile tree writes only regular files and directories inside the fresh folder", async (sandbox) => {
    await sandbox.writeFile("/root/flag.txt", SECRET + "\n", { owner: "root", mode: 0o600 });
    await mustExec(
      sandbox,
      [
        "mkdir -p out/deep/er",
        "echo result > out/result.txt",
        "echo inner > out/deep/er/inner.txt",
        "ln -s / out/rootlink",
        "ln -s ../../../../../../etc out/escape",
        "ln -s /root/flag.txt out/flag.txt",
        "echo linked > out/h1.txt && ln out/h1.txt out/h2.txt",
        "mkfifo out/fifo",
        "echo nl > out/$'evil\\nname'",
        "echo esc > out/$'bell\\a'",
        "echo dots > out/..x && echo dots > out/x.. && echo dots > 'out/...'",
        "cp /bin/true out/suid && chmod 6755 out/suid",
      ].join(" && "),
    );
    await withTempDir(async (host) => {
      const dest = `${host}/export/out`;
      const report = await sandbox.copyOut("/home/agent/out", dest);
      const entries = await walk(host);
      for (const entry of entries) {
        assert.ok(entry.path.startsWith(`${host}/export`), `${entry.path} landed outside`);
        assert.notEqual(entry.kind, "symlink", `${entry.path} is a symlink`);
        assert.notEqual(entry.kind, "other", `${entry.path} is not a file or directory`);
        assert.equal(entry.mode & 0o6000, 0, `${entry.path} has a setuid/setgid bit`);
        if (entry.kind === "file") assert.ok(entry.mode === 0o644 || entry.mode === 0o755, entry.path);
      }
      const names = entries.map((entry) => entry.path.slice(dest.length + 1)).sort();
      assert.ok(names.includes("result.txt") && names.includes("deep/er/inner.txt"), names.join(","));
      assert.ok(names.includes("..x") && names.includes("x..") && names.includes("..."), names.join(","));
      assert.equal(await Deno.readTextFile(`${dest}/result.txt`), "result\n");
      assert.equal((await Deno.stat(`${dest}/suid`)).mode! & 0o7777, 0o755);
      assert.equal((await Deno.stat(dest)).mode! & 0o777, 0o700);
      for (const file of entries.filter((entry) => entry.kind === "file")) {
        assert.ok(!(await Deno.readTextFile(file.path)).includes("FLAG{"), `${file.path} holds the secret`);
      }
      const skipped = new Map(report.skipped.map((entry) => [entry.path, entry.reason]));
      assert.match(skipped.get("out/rootlink") ?? "", /symlink/);
      assert.match(skipped.get("out/escape") ?? "", /symlink/);
      assert.match(skipped.get("out/flag.txt") ?? "", /symlink/);
      assert.match(skipped.get("out/fifo") ?? "", /fifo/);
      assert.match(skipped.get("out/evil\\nname") ?? "", /control character/);
      assert.match(skipped.get("out/bell\\x07") ?? "", /control character/);
      // tar stores the second name of a hard-linked pair as a link: skipped; the first is a plain file.
      const linkNames = ["out/h1.txt", "out/h2.txt"].filter((path) =>
        /hardlink/.test(skipped.get(path) ?? "")
      );
      assert.equal(linkNames.length, 1, JSON.stringify(report.skipped));
      assert.equal(names.filter((n) => n === "h1.txt" || n === "h2.txt").length, 1, names.join(","));
      assert.equal(
        report.files,
        names.filter((n) => entries.find((e) => e.path === `${dest}/${n}`)?.kind === "file").length,
      );
      // Copying into an existing path is refused and leaves it alone.
      await Deno.writeTextFile(`${host}/existing`, "keep");
      await assert.rejects(() => sandbox.copyOut("/home/agent/out", `${host}/existing`), /already exists/);
      await assert.rejects(() => sandbox.copyOut("/home/agent/out/result.txt", dest), /already exists/);
      await Deno.symlink("/etc", `${host}/dangling-or-not`);
      await assert.rejects(
        () => sandbox.copyOut("/home/agent/out", `${host}/dangling-or-not`),
        /already exists/,
      );
      assert.equal(await Deno.readTextFile(`${host}/existing`), "keep");
      // A single file works too; a top-level symlink is reported, not followed.
      const single = await sandbox.copyOut("/home/agent/out/result.txt", `${host}/single.txt`);
      assert.deepEqual(single, { files: 1, bytes: 7, skipped: [] });
      assert.equal(await Deno.readTextFile(`${host}/single.txt`), "result\n");
      const linked = await sandbox.copyOut("/home/agent/out/flag.txt", `${host}/flag.txt`);
      assert.equal(linked.files, 0);
      assert.match(linked.skipped[0].reason, /symlink/);
      assert.equal(await Deno.lstat(`${host}/flag.txt`).then(() => true, () => false), false);
      // The archive is made as the agent: root's files stay out unless root is asked for.
      await assert.rejects(() => sandbox.copyOut("/root", `${host}/root`), /Permission denied/);
      const asRoot = await sandbox.copyOut("/root/flag.txt", `${host}/root-flag`, { as: "root" });
      assert.equal(asRoot.files, 1);
      // The archive cap holds.
      await assert.rejects(
        () => sandbox.copyOut("/home/agent/out", `${host}/capped`, { maxBytes: 4096 }),
        /cap of 4096/,
      );
      assert.equal(await Deno.lstat(`${host}/capped`).then(() => true, () => false), false);
      await assert.rejects(() => sandbox.copyOut("/home/agent/missing", `${host}/missing`), /No such file/);
    });
  });

  test("copyOutMatching (workbench export) keeps every match, a newline name included, inside the folder", async (sandbox) => {
    await mustExec(
      sandbox,
      "mkdir -p a/b && echo 1 > a/b/x.txt && echo 2 > $'a/b/\\nx.txt' && echo 3 > top.txt && ln -s /etc/passwd link.txt",
    );
    await withTempDir(async (host) => {
      const out = `${host}/nested/out`;
      const report = await (sandbox as BaseSandbox).copyOutMatching("/home/agent", "*.txt", out);
      assert.equal(report.files, 2);
      assert.equal(await Deno.readTextFile(`${out}/a/b/x.txt`), "1\n");
      assert.equal(await Deno.readTextFile(`${out}/top.txt`), "3\n");
      const entries = await walk(host);
      assert.ok(entries.every((entry) => entry.path.startsWith(out) || entry.path === dirname(out)));
      assert.ok(entries.every((entry) => entry.kind !== "symlink"));
      const reasons = report.skipped.map((entry) => `${entry.path}: ${entry.reason}`).join("\n");
      assert.match(reasons, /a\/b\/\\nx\.txt: name contains a control character/);
      assert.match(reasons, /link\.txt: symlink/);
    });
  });

  test("agent-owned writes get the agent's rights only; root writes replace a planted link", async (sandbox) => {
    await mustExec(
      sandbox,
      "mkdir -p /home/agent/p && ln -s /root /home/agent/p/q && ln -s /root /home/agent/dst",
    );
    await assert.rejects(() => sandbox.writeFile("/home/agent/p/q/planted.txt", "x"), /Permission denied/);
    await assert.rejects(() => sandbox.writeFile("/home/agent/dst/new/deeper.txt", "x"), /Permission denied/);
    await withTempDir(async (host) => {
      await Deno.mkdir(`${host}/tree`);
      await Deno.writeTextFile(`${host}/tree/f.txt`, "f");
      await assert.rejects(() => sandbox.copyIn(`${host}/tree`, "/home/agent/dst/tree"), /Permission denied/);
    });
    const listing = await mustExec(sandbox, "ls -A /root", "root");
    assert.doesNotMatch(listing, /planted|new|tree/);
    // Owner root, target planted as a link by the agent: the link is replaced, its target untouched.
    await sandbox.writeFile("/root/keep.txt", "keep\n", { owner: "root", mode: 0o600 });
    await mustExec(sandbox, "ln -s /root/keep.txt /home/agent/report.txt");
    await sandbox.writeFile("/home/agent/report.txt", "root report\n", { owner: "root", mode: 0o644 });
    assert.equal(await sandbox.readTextFile("/root/keep.txt", { as: "root" }), "keep\n");
    assert.equal(
      await mustExec(sandbox, "stat -c '%u %a %F' /home/agent/report.txt", "root"),
      "0 644 regular file\n",
    );
    // Ordinary semantics are kept: parents created and owned, mode and owner applied.
    await sandbox.writeFile("/home/agent/new/dir/run.sh", "echo hi\n", { mode: 0o755 });
    assert.equal(
      await mustExec(
        sandbox,
        "stat -c '%u %a' /home/agent/new /home/agent/new/dir /home/agent/new/dir/run.sh",
        "root",
      ),
      "1000 755\n1000 755\n1000 755\n",
    );
  });
}

/** A tar header block (ustar) for hand-made hostile archives. */
function header(
  name: string,
  typeflag: string,
  options: { size?: number; link?: string; mode?: number } = {},
) {
  const block = new Uint8Array(512);
  const put = (offset: number, text: string) => block.set(new TextEncoder().encode(text), offset);
  put(0, name);
  put(100, (options.mode ?? 0o644).toString(8).padStart(7, "0") + "\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, (options.size ?? 0).toString(8).padStart(11, "0") + "\0");
  put(136, "00000000000\0");
  put(148, "        ");
  put(156, typeflag);
  if (options.link) put(157, options.link);
  put(257, "ustar\0");
  put(263, "00");
  let sum = 0;
  for (const byte of block) sum += byte;
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

function member(name: string, typeflag: string, data = "", options: { link?: string; mode?: number } = {}) {
  const bytes = new TextEncoder().encode(data);
  const padded = new Uint8Array(Math.ceil(bytes.length / 512) * 512);
  padded.set(bytes);
  return [header(name, typeflag, { ...options, size: bytes.length }), padded];
}

function archive(...members: Uint8Array[][]): Uint8Array {
  const parts = [...members.flat(), new Uint8Array(1024)];
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = new TextEncoder().encode(body).length;
  let length = bodyBytes + 1;
  while (String(length).length + bodyBytes !== length) length = String(length).length + bodyBytes;
  return `${length}${body}`;
}

Deno.test("safe untar: hostile names, links and types never reach the host", async () => {
  await withTempDir(async (host) => {
    const hostile = archive(
      member("./", "5"),
      member("/etc/evalkit-abs", "0", "abs"),
      member("../escape.txt", "0", "up"),
      member("a/../../escape2.txt", "0", "up"),
      member("link", "2", "", { link: "/" }),
      member("link/etc/evalkit-through-link", "0", "through"),
      member("hard", "1", "", { link: "/etc/passwd" }),
      member("dev", "3"),
      member("blk", "4"),
      member("fifo", "6"),
      member("sparse", "S"),
      member("new\nline.txt", "0", "nl"),
      member("esc\u001b[2J.txt", "0", "esc"),
      member("c1\u0085.txt", "0", "c1"),
      member("suid", "0", "#!/bin/sh\n", { mode: 0o6755 }),
      member("plain.txt", "0", "plain"),
      member("plain.txt", "0", "again"),
      member("plain.txt/child", "0", "under a file"),
      member("", "L", "long/" + "n".repeat(150) + ".txt"),
      member("ignored-short-name", "0", "long"),
      member("", "x", paxRecord("path", "pax/évidence.txt")),
      member("ignored-too", "0", "pax"),
      member("", "x", paxRecord("path", "../pax-escape.txt")),
      member("fine-name", "0", "pax-up"),
    );
    const dest = `${host}/out`;
    const report = await extractArchive(hostile, { dest });
    const entries = await walk(host);
    assert.ok(entries.every((entry) => entry.path.startsWith(dest)), JSON.stringify(entries));
    assert.ok(entries.every((entry) => entry.kind === "file" || entry.kind === "dir"));
    assert.ok(entries.every((entry) => (entry.mode & 0o6000) === 0));
    const files = entries.filter((entry) => entry.kind === "file").map((entry) =>
      entry.path.slice(dest.length + 1)
    )
      .sort();
    assert.deepEqual(files, ["long/" + "n".repeat(150) + ".txt", "pax/évidence.txt", "plain.txt", "suid"]);
    assert.equal(await Deno.readTextFile(`${dest}/plain.txt`), "plain");
    assert.equal((await Deno.stat(`${dest}/suid`)).mode! & 0o7777, 0o755);
    assert.equal(report.files, 4);
    const reasons = report.skipped.map((entry) => `${entry.path} → ${entry.reason}`);
    const expect = (pattern: RegExp) =>
      assert.ok(reasons.some((r) => pattern.test(r)), `${pattern}\n${reasons.join("\n")}`);
    expect(/^\/etc\/evalkit-abs → absolute path/);
    expect(/^\.\.\/escape\.txt → .*'\.\.'/);
    expect(/^a\/\.\.\/\.\.\/escape2\.txt → .*'\.\.'/);
    expect(/^link → symlink/);
    expect(/^link\/etc\/evalkit-through-link → .*parent \(link\) was skipped/);
    expect(/^hard → hardlink/);
    expect(/^dev → character device/);
    expect(/^blk → block device/);
    expect(/^fifo → fifo/);
    expect(/^sparse → unsupported entry type 'S'/);
    expect(/^new\\nline\.txt → .*control character/);
    expect(/^esc\\x1b\[2J\.txt → .*control character/);
    expect(/^c1\\x85\.txt → .*control character/);
    expect(/^plain\.txt → duplicate/);
    expect(/^plain\.txt\/child → .*written as a file/);
    expect(/^\.\.\/pax-escape\.txt → .*'\.\.'/);
    assert.equal(await Deno.lstat("/etc/evalkit-abs").then(() => true, () => false), false);
    assert.equal(await Deno.lstat(`${host}/escape.txt`).then(() => true, () => false), false);
    // The destination must be fresh: an existing directory (or link) is never written into.
    await assert.rejects(() => extractArchive(hostile, { dest }), /already exists/);
    await assert.rejects(() => extractArchive(hostile, { dest: `${host}/out/plain.txt` }), /already exists/);
  });
});

Deno.test("safe untar: a corrupt or truncated archive is an error naming the offset", async () => {
  await withTempDir(async (host) => {
    const good = archive(member("a.txt", "0", "x".repeat(2000)));
    const corrupt = good.slice();
    corrupt[0] ^= 0xff;
    await assert.rejects(() => extractArchive(corrupt, { dest: `${host}/c` }), /checksum mismatch/);
    await assert.rejects(() => extractArchive(good.slice(0, 1000), { dest: `${host}/t` }), /truncated/);
  });
});
