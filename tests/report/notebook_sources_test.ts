import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import {
  buildNotebook,
  joinText,
  parseNotebook,
  parsePercentScript,
  serializeNotebook,
} from "../../lib/notebook/ipynb.ts";
import {
  buildAll,
  HandEditedError,
  isUnedited,
  notebookText,
  parseHeader,
} from "../../scripts/build_notebooks.ts";

const NOTEBOOKS = fileURLToPath(new URL("../../notebooks/", import.meta.url));
const EXPECTED = [
  "compare-scaffolds",
  "difficulty-curves",
  "elicitation-impact",
  "plan-an-evaluation",
  "protocol-thresholds",
];

Deno.test("percent scripts split into code and markdown cells", () => {
  const cells = parsePercentScript([
    "// header, dropped",
    "// %% [markdown]",
    "// # Title",
    "//",
    "// text",
    "// %%",
    "const a = 1;",
    "",
    "a",
    "// %%",
    "",
  ].join("\n"));
  assert.deepEqual(cells, [
    { kind: "markdown", source: "# Title\n\ntext" },
    { kind: "code", source: "const a = 1;\n\na" },
  ]);
  assert.throws(() => parsePercentScript("// %% [raw]\n"), /unknown cell marker/);
  assert.throws(() => parsePercentScript("// %% [markdown]\nnot a comment"), /must start with/);
});

Deno.test("built notebooks are nbformat 4.5 with stable ids and the deno kernelspec", () => {
  const nb = buildNotebook([{ kind: "markdown", source: "# x" }, { kind: "code", source: "1\n2" }], {
    slug: "demo",
    title: "Demo",
    expects: { figures: ["f"], minTables: 1 },
  });
  const text = serializeNotebook(nb);
  const parsed = parseNotebook(text, "demo");
  assert.equal(parsed.nbformat_minor, 5);
  assert.equal(parsed.metadata.kernelspec?.name, "deno");
  assert.deepEqual(parsed.cells.map((c) => c.id), ["demo-00", "demo-01"]);
  assert.deepEqual(parsed.cells[1].source, ["1\n", "2"]);
  assert.deepEqual(parsed.metadata.evalkit?.expects, { figures: ["f"], minTables: 1 });
});

Deno.test("parseNotebook names the file and the field on bad input", () => {
  assert.throws(() => parseNotebook("{", "x.ipynb"), /x\.ipynb: not JSON/);
  assert.throws(
    () =>
      parseNotebook(
        JSON.stringify({
          nbformat: 4,
          nbformat_minor: 5,
          metadata: {},
          cells: [{
            cell_type: "code",
            id: "bad id!",
            source: "",
            outputs: [],
            execution_count: null,
            metadata: {},
          }],
        }),
        "y.ipynb",
      ),
    /y\.ipynb: .*cells\.0\.id/,
  );
});

Deno.test("source headers declare title, figures and tables", () => {
  assert.deepEqual(parseHeader("// @title T\n// @figures a, b\n// @min-tables 3\n", "f"), {
    title: "T",
    figures: ["a", "b"],
    minTables: 3,
  });
  assert.throws(() => parseHeader("// nothing", "f.nb.ts"), /f\.nb\.ts: missing/);
});

Deno.test("the committed notebooks are exactly what their sources build", async () => {
  const stale = await buildAll(NOTEBOOKS, true);
  assert.deepEqual(stale, [], `rebuild with: deno run -A scripts/build_notebooks.ts (${stale.join(", ")})`);
});

Deno.test("the four notebooks exist, each unexecuted, parameterised and promising figures", async () => {
  for (const name of EXPECTED) {
    const text = await Deno.readTextFile(join(NOTEBOOKS, `${name}.ipynb`));
    const nb = parseNotebook(text, name);
    assert.equal(
      text,
      await notebookText(await Deno.readTextFile(join(NOTEBOOKS, `${name}.nb.ts`)), `${name}.nb.ts`),
    );
    const ids = nb.cells.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, `${name}: cell ids unique`);
    for (const c of nb.cells) {
      if (c.cell_type === "code") assert.deepEqual(c.outputs, [], `${name}: no stored outputs`);
    }
    const [paramCell, firstCode] = nb.cells.filter((c) => c.cell_type === "code");
    assert.deepEqual(
      paramCell.metadata,
      { tags: ["parameters"] },
      `${name}: a cell tagged parameters comes first`,
    );
    assert.match(
      joinText(firstCode.source),
      /paramsFromCell\(parameters\)/,
      `${name}: the next code cell reads the parameters`,
    );
    assert.ok((nb.metadata.evalkit?.expects.figures.length ?? 0) >= 3, `${name}: promises its figures`);
  }
});

Deno.test("the notebook sources type-check against the current library", async () => {
  const sources = EXPECTED.map((n) => join(NOTEBOOKS, `${n}.nb.ts`));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "-q", ...sources],
    stderr: "piped",
    stdout: "piped",
  })
    .output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
});

Deno.test("the build refuses to overwrite a notebook edited by hand since generated, unless forced", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const src = "// @title T\n// %% [markdown]\n// # T\n// %%\nconsole.log(1);\n";
    await Deno.writeTextFile(join(dir, "t.nb.ts"), src);
    assert.deepEqual(await buildAll(dir, false), ["t.ipynb"]);
    const generated = await Deno.readTextFile(join(dir, "t.ipynb"));
    assert.ok(await isUnedited(generated));
    // The source changes: an unedited notebook is simply rebuilt.
    await Deno.writeTextFile(join(dir, "t.nb.ts"), src.replace("1", "2"));
    assert.deepEqual(await buildAll(dir, false), ["t.ipynb"]);
    // Edited in Jupyter (here: an output saved), then the source changes again: refused, nothing written.
    const nb = JSON.parse(await Deno.readTextFile(join(dir, "t.ipynb")));
    nb.cells[1].outputs = [{ output_type: "stream", name: "stdout", text: ["2\n"] }];
    const edited = JSON.stringify(nb, null, 1) + "\n";
    await Deno.writeTextFile(join(dir, "t.ipynb"), edited);
    assert.equal(await isUnedited(edited), false);
    await Deno.writeTextFile(join(dir, "t.nb.ts"), src.replace("1", "3"));
    await assert.rejects(() => buildAll(dir, false), HandEditedError);
    assert.equal(await Deno.readTextFile(join(dir, "t.ipynb")), edited);
    // --check still reports it stale; --force overwrites.
    assert.deepEqual(await buildAll(dir, true), ["t.ipynb"]);
    assert.deepEqual(await buildAll(dir, false, true), ["t.ipynb"]);
    assert.ok(await isUnedited(await Deno.readTextFile(join(dir, "t.ipynb"))));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
