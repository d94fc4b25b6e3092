import { main } from "../../lib/cli/plan.ts";
import { assert, assertEquals } from "./_assert.ts";

const ASSUME = {
  curves: { basic: { p50Minutes: 30, slope: -0.9 }, tools: { p50Minutes: 90, slope: -0.9 } },
  taskMinutes: [1, 4, 15, 60, 240, 960],
  taskSd: 0.8,
  tasksPerFamily: 2,
  costPerRun: { basic: 1, tools: 2 },
  costUnit: "dollars",
};

/** Run the command with console.log / console.error captured. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const log = console.log, error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    return { code: await main(argv), out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("plan CLI: table, json and figure from an assumptions file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/assume.json`;
    await Deno.writeTextFile(file, JSON.stringify(ASSUME));
    const common = ["--assume", file, "--tasks", "6,12", "--epochs", "1,2", "--sims", "30"];
    const t = await run([
      ...common,
      "--question",
      "gap",
      "--a",
      "tools",
      "--b",
      "basic",
      "--figure",
      `${dir}/p.svg`,
    ]);
    assertEquals(t.code, 0, t.err);
    assert(t.out.includes("cost (dollars)") && /recommended|no design/.test(t.out), t.out);
    assert((await Deno.readTextFile(`${dir}/p.svg`)).includes("<svg"));
    const j = await run([
      ...common,
      "--question",
      "horizon",
      "--agent",
      "tools",
      "--above",
      "30",
      "--format",
      "json",
    ]);
    assertEquals(j.code, 0, j.err);
    const plan = JSON.parse(j.out);
    assertEquals(plan.rows.length, 4);
    assertEquals(plan.truth.side, "above");
    assertEquals(plan.rows[3].runs, 24);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("plan CLI: errors name the flag or the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/assume.json`;
    await Deno.writeTextFile(file, JSON.stringify(ASSUME));
    const cases: [string[], RegExp][] = [
      [["--assume", file], /--question is required/],
      [["--assume", file, "--question", "size"], /--question: expected gap, horizon or verdict/],
      [["--assume", file, "--question", "gap", "--a", "tools"], /--b is required/],
      [["--assume", file, "--question", "horizon", "--agent", "tools"], /--above .* or --below/],
      [
        ["--assume", file, "--question", "horizon", "--agent", "tools", "--above", "30", "--tasks", "1,x"],
        /--tasks/,
      ],
      [
        ["--assume", file, "--question", "horizon", "--agent", "nobody", "--above", "30"],
        /no curve for variant "nobody"/,
      ],
      [
        ["--assume", `${dir}/missing.json`, "--question", "horizon", "--agent", "tools", "--above", "3"],
        /--assume .*missing\.json/,
      ],
      [
        ["--pilot", `${dir}/missing.jsonl`, "--question", "horizon", "--agent", "t", "--above", "3"],
        /--pilot .*missing\.jsonl/,
      ],
      [["--question", "horizon", "--agent", "t", "--above", "3"], /exactly one of --pilot/],
      [
        ["--assume", file, "--question", "gap", "--a", "tools", "--b", "basic", "--format", "xml"],
        /--format/,
      ],
      [
        ["--assume", file, "--question", "gap", "--a", "tools", "--b", "basic", "--cost-per-run", "euros"],
        /--cost-per-run/,
      ],
      [["--assume", file, "--question", "gap", "--a", "tools", "--b", "basic", "--bogus", "1"], /bogus/],
    ];
    for (const [argv, re] of cases) {
      const r = await run(argv);
      assertEquals(r.code, 2, `${argv.join(" ")}: code ${r.code}`);
      assert(re.test(r.err), `${argv.join(" ")}: ${r.err}`);
    }
    await Deno.writeTextFile(file, JSON.stringify({ ...ASSUME, taskSD: 1 }));
    const bad = await run(["--assume", file, "--question", "gap", "--a", "tools", "--b", "basic"]);
    assertEquals(bad.code, 2);
    assert(/--assume .*assume\.json.*taskSD.*taskSd/.test(bad.err), bad.err);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
