/**
 * The containment suite: each probe is an attack an agent (or root code it tricked) could try from inside a
 * sandbox, run against both drivers; each asserts it is contained. Every probe here escaped or succeeded
 * against the local driver before user namespaces, seccomp, cgroups and tmpfs homes (main at 9af6257).
 *
 * The docker probes run twice: on the default engine, and through an engine pool (lib/sandbox/pool/, one
 * engine: this machine's) so a pooled sandbox is shown to be contained the same way.
 *
 * Host-side file access (symlinked submissions, export) is probed in host_io_test.ts, task scorers in
 * tests/tasks/ and QA's cheat battery.
 */
import assert from "node:assert/strict";
import {
  createSandboxDriver,
  dockerEngineReachable,
  type Sandbox,
  type SandboxDriver,
  type SandboxDriverName,
  type SandboxSpec,
} from "../../lib/sandbox/mod.ts";
import { dockerEndpoint } from "../../lib/sandbox/docker.ts";
import { EnginePool, parsePoolConfig } from "../../lib/sandbox/pool/mod.ts";

const dockerReachable = await dockerEngineReachable();
const inCi = Deno.env.get("CI") === "true";

/** Docker's default capability set plus SYS_PTRACE, as a bit mask (see lib/sandbox/local.ts). */
const DOCKER_DEFAULT_CAPS_WITH_PTRACE = 0xa80c25fbn;

interface Harness {
  /** The driver kind (probes for one kind run on every harness of it). */
  name: SandboxDriverName;
  /** How test names call it. */
  label: string;
  ignore: boolean;
  spec: SandboxSpec;
  driver: () => Promise<SandboxDriver>;
}

let pool: EnginePool | undefined;
/** One pool over this machine's engine, opened by the first pooled probe and closed by the last test. */
const pooled = async (): Promise<SandboxDriver> =>
  pool ??= await EnginePool.open(
    parsePoolConfig(
      { engines: [{ name: "here", address: dockerEndpoint(), capacity: 4 }] },
      "containment pool",
    ),
  );

const harnesses: Harness[] = [
  {
    name: "local",
    label: "local",
    ignore: false,
    spec: { packages: ["python3"] },
    driver: () => createSandboxDriver("local"),
  },
  {
    name: "docker",
    label: "docker",
    ignore: !dockerReachable && !inCi,
    spec: { packages: ["python3"] },
    driver: () => createSandboxDriver("docker"),
  },
  {
    name: "docker",
    label: "docker pool",
    ignore: !dockerReachable && !inCi,
    spec: { packages: ["python3"] },
    driver: pooled,
  },
];

/** Python run inside the sandbox; prints one JSON line. */
async function python(sandbox: Sandbox, source: string, user: "agent" | "root" = "agent") {
  const result = await sandbox.exec(["python3", "-I", "-c", source], { user, timeoutMs: 60_000 });
  assert.equal(result.exitCode, 0, `probe crashed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!);
}

/** Calls a raw system call through ctypes; prints {"ret": r, "errno": e}. */
const SYSCALL = (nr: number, ...args: number[]) => `
import ctypes, json
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(${nr}, ${args.map((a) => `ctypes.c_long(${a})`).join(", ") || "0"})
print(json.dumps({"ret": r, "errno": ctypes.get_errno()}))
`;

const EPERM = 1;

/** name_to_handle_at + open_by_handle_at ("shocker"): reads a file by inode handle, bypassing the mount tree. */
const SHOCKER = `
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
class Handle(ctypes.Structure):
    _fields_ = [("bytes", ctypes.c_uint), ("type", ctypes.c_int), ("f", ctypes.c_ubyte * 128)]
h = Handle(); h.bytes = 128; mount_id = ctypes.c_int()
r = libc.syscall(303, -100, b"/etc/hostname", ctypes.byref(h), ctypes.byref(mount_id), 0)
e1 = ctypes.get_errno()
r2, e2 = -1, None
if r == 0:
    mfd = os.open("/", os.O_RDONLY)
    r2 = libc.syscall(304, mfd, ctypes.byref(h), os.O_RDONLY)
    e2 = ctypes.get_errno()
print(json.dumps({"name_to_handle": r, "errno1": e1, "open_by_handle": r2, "errno2": e2}))
`;

async function status(sandbox: Sandbox, user: "agent" | "root"): Promise<Record<string, string>> {
  const result = await sandbox.exec("cat /proc/self/status", { user });
  return Object.fromEntries(
    result.stdout.split("\n").filter(Boolean).map((line) => {
      const [key, ...rest] = line.split(":");
      return [key, rest.join(":").trim()];
    }),
  );
}

for (const harness of harnesses) {
  const driver = harness.driver;
  const probe = (
    name: string,
    body: (sandbox: Sandbox) => Promise<void>,
    spec: Partial<SandboxSpec> = {},
    only?: SandboxDriverName,
  ) =>
    Deno.test({
      name: `containment (${harness.label}): ${name}`,
      ignore: harness.ignore || (only !== undefined && only !== harness.name),
      sanitizeResources: false,
      sanitizeOps: false,
      fn: async () => {
        const sandbox = await (await driver()).create({
          ...harness.spec,
          ...spec,
          label: `containment/${name}`,
        });
        try {
          await body(sandbox);
        } finally {
          await sandbox.close();
        }
      },
    });

  probe(
    "root inside is not host root: its ids map onto an unprivileged host range",
    async (sandbox) => {
      const map = await sandbox.exec("cat /proc/self/uid_map", { user: "root" });
      const [inner, outer, count] = map.stdout.trim().split(/\s+/).map(Number);
      assert.equal(inner, 0);
      assert.ok(outer >= 0x1000_0000, `root maps onto host uid ${outer}`);
      assert.ok(count <= 65_536, `the sandbox maps ${count} ids`);
    },
    {},
    "local",
  );

  probe(
    "two concurrent sandboxes get disjoint host id ranges",
    async (first) => {
      const second = await (await driver()).create({ ...harness.spec, label: "containment/second" });
      try {
        const outer = async (sandbox: Sandbox) =>
          Number((await sandbox.exec("cat /proc/self/uid_map")).stdout.trim().split(/\s+/)[1]);
        const [a, b] = [await outer(first), await outer(second)];
        assert.ok(Math.abs(a - b) >= 65_536, `ranges overlap: ${a} and ${b}`);
      } finally {
        await second.close();
      }
    },
    {},
    "local",
  );

  probe("open_by_handle_at (the 'shocker' escape) is denied to root", async (sandbox) => {
    const result = await python(sandbox, SHOCKER, "root");
    assert.notEqual(result.name_to_handle, 0, `name_to_handle_at succeeded: ${JSON.stringify(result)}`);
    assert.equal(result.errno1, EPERM);
  });

  probe("root cannot mount", async (sandbox) => {
    const result = await sandbox.exec("mkdir -p /tmp/m && mount -t tmpfs none /tmp/m && echo MOUNTED", {
      user: "root",
    });
    assert.doesNotMatch(result.stdout, /MOUNTED/);
    assert.notEqual(result.exitCode, 0);
  });

  probe("neither root nor the agent can create a user namespace", async (sandbox) => {
    for (const user of ["agent", "root"] as const) {
      const result = await sandbox.exec("unshare --user --map-root-user true && echo CREATED", { user });
      assert.doesNotMatch(result.stdout, /CREATED/, `${user} created a user namespace`);
      const raw = await python(sandbox, SYSCALL(272, 0x10000000), user); // unshare(CLONE_NEWUSER)
      assert.equal(raw.ret, -1, `${user}: unshare(CLONE_NEWUSER) returned ${raw.ret}`);
      const clone = await python(sandbox, SYSCALL(56, 0x10000000 | 17, 0, 0, 0, 0), user);
      assert.equal(clone.ret, -1, `${user}: clone(CLONE_NEWUSER) returned ${clone.ret}`);
    }
  });

  probe("keyctl, bpf and perf_event_open are denied", async (sandbox) => {
    for (
      const [name, call] of [
        ["keyctl", SYSCALL(250, 0, -4, 0)], // KEYCTL_GET_KEYRING_ID of the user keyring
        ["bpf", SYSCALL(321, 0, 0, 0)],
        ["perf_event_open", SYSCALL(298, 0, 0, -1, -1, 0)],
      ] as const
    ) {
      const result = await python(sandbox, call, "root");
      assert.equal(result.ret, -1, `${name} returned ${result.ret}`);
      assert.equal(result.errno, EPERM, `${name} failed with errno ${result.errno}, not EPERM`);
    }
  });

  probe(
    "root keeps at most Docker's default capabilities, the agent none; both no_new_privs and seccomp",
    async (sandbox) => {
      const root = await status(sandbox, "root");
      const rootCaps = BigInt(`0x${root.CapEff}`);
      assert.equal(
        rootCaps & ~DOCKER_DEFAULT_CAPS_WITH_PTRACE,
        0n,
        `root has extra capabilities ${root.CapEff}`,
      );
      assert.equal(BigInt(`0x${root.CapBnd}`) & ~DOCKER_DEFAULT_CAPS_WITH_PTRACE, 0n);
      const agent = await status(sandbox, "agent");
      assert.equal(BigInt(`0x${agent.CapEff}`), 0n);
      assert.equal(BigInt(`0x${agent.CapPrm}`), 0n);
      for (const [who, fields] of [["root", root], ["agent", agent]] as const) {
        assert.equal(fields.NoNewPrivs, "1", `${who} lacks no_new_privs`);
        assert.equal(fields.Seccomp, "2", `${who} runs without a seccomp filter`);
      }
    },
  );

  probe("a memory bomb is killed at the sandbox's cap and reported as a memory limit", async (sandbox) => {
    const result = await sandbox.exec(
      [
        "python3",
        "-c",
        "b = bytearray(1 << 30)\nfor i in range(0, len(b), 4096): b[i] = 1\nprint('ALLOCATED')",
      ],
      { timeoutMs: 120_000 },
    );
    assert.doesNotMatch(result.stdout, /ALLOCATED/, "1 GiB was allocated under a 256 MiB cap");
    assert.ok((await sandbox.limitsHit()).includes("memory"), "the memory limit was not reported");
  }, { memoryGb: 0.25 });

  probe("filling the writable space stops at the cap and is reported as a disk limit", async (sandbox) => {
    for (const dir of ["/tmp", "/home/agent"]) {
      const result = await sandbox.exec(`dd if=/dev/zero of=${dir}/fill bs=1M count=200 2>&1; echo rc=$?`);
      assert.match(result.stdout, /No space left on device/, `${dir}: ${result.stdout}`);
      assert.ok((await sandbox.limitsHit()).includes("disk"), `${dir}: the disk limit was not reported`);
      await sandbox.exec(`rm -f ${dir}/fill`);
    }
  }, { diskGb: 0.0625, memoryGb: 1 });

  probe(
    "a memory bomb and a disk fill in one sandbox do not fail a concurrent sandbox's work",
    async (bomb) => {
      const other = await (await driver()).create({ ...harness.spec, label: "containment/bystander" });
      try {
        const bombs = Promise.all([
          bomb.exec(["python3", "-c", "b = bytearray(1 << 30)\nfor i in range(0, len(b), 4096): b[i] = 1"], {
            timeoutMs: 120_000,
          }),
          bomb.exec("dd if=/dev/zero of=/tmp/fill bs=1M count=200 2>&1", { timeoutMs: 120_000 }),
        ]);
        const work = await other.exec(
          [
            "python3",
            "-c",
            "b = bytearray(200 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\n" +
            "open('/tmp/out', 'wb').write(bytes(100 << 20))\nprint('BYSTANDER-OK')",
          ],
          { timeoutMs: 120_000 },
        );
        await bombs;
        assert.match(work.stdout, /BYSTANDER-OK/, `the concurrent sandbox failed: ${work.stderr}`);
        assert.deepEqual(await other.limitsHit(), []);
        const hit = await bomb.limitsHit();
        assert.ok(hit.includes("memory") && hit.includes("disk"), `the bombed sandbox reported ${hit}`);
      } finally {
        await other.close();
      }
    },
    { memoryGb: 0.25, diskGb: 0.0625 },
  );

  probe(
    "a fork storm stops at the sandbox's process cap and does not starve a concurrent sandbox",
    async (storm) => {
      const other = await (await driver()).create({ ...harness.spec, label: "containment/bystander" });
      try {
        const bomb = storm.exec(
          "bomb() { bomb | bomb & }; bomb >/dev/null 2>&1; sleep 5",
          { timeoutMs: 20_000 },
        );
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const bystander = await other.exec(
          "for i in $(seq 1 100); do sleep 3 & done; wait && echo BYSTANDER-OK",
          { timeoutMs: 60_000 },
        );
        assert.match(bystander.stdout, /BYSTANDER-OK/, `the other sandbox was starved: ${bystander.stderr}`);
        assert.ok((await storm.limitsHit()).includes("processes"), "the process limit was not reported");
        assert.deepEqual(await other.limitsHit(), []);
        await storm.close(); // ends the storm; the bomb's exec then returns
        await bomb.catch(() => {});
      } finally {
        await other.close();
      }
    },
    { maxProcesses: 256 },
  );

  probe("a 20,000-deep directory tree does not wedge teardown", async (sandbox) => {
    const result = await sandbox.exec(
      [
        "python3",
        "-c",
        "import os\nfor i in range(20000):\n    os.mkdir('d')\n    os.chdir('d')\nprint('DEEP')",
      ],
      { timeoutMs: 120_000 },
    );
    assert.match(result.stdout, /DEEP/, result.stderr);
    const started = performance.now();
    await sandbox.close();
    assert.ok(performance.now() - started < 30_000, "teardown took over 30 s");
    // A fresh sandbox (whose start sweeps orphans) still works.
    const next = await (await driver()).create({ ...harness.spec, label: "containment/after-deep" });
    try {
      assert.equal((await next.exec("echo ok")).stdout, "ok\n");
    } finally {
      await next.close();
    }
  });
}

Deno.test({
  name: "containment (docker pool): the pool closes with its sandboxes gone",
  ignore: !dockerReachable && !inCi,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const opened = pool;
    pool = undefined;
    if (!opened) return; // every pooled probe was filtered out
    const status = opened.status();
    assert.ok(status.every((s) => s.up), "the engine stayed up");
    assert.ok(status.reduce((n, s) => n + s.placed, 0) > 0, "the pooled probes ran on the pool");
    assert.equal(status.reduce((n, s) => n + s.open, 0), 0, "no pooled sandbox left open");
    await opened.close();
  },
});
