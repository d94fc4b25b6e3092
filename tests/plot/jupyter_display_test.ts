import assert from "node:assert/strict";
import { executeNotebook } from "../../lib/report/execute.ts";

// Real Jupyter: execute a two-cell notebook on the Deno kernel (the report's jupyter_client executor) and check that the kernel displays
// a Figure as image/svg+xml through its Symbol.for("Jupyter.display") hook.
const hasJupyter = (() => {
  try {
    Deno.statSync("/usr/bin/python3");
    const out = new Deno.Command("/usr/bin/python3", {
      args: [
        "-c",
        "import nbformat, jupyter_client.kernelspec as k; k.KernelSpecManager().get_kernel_spec('deno')",
      ],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return out.success;
  } catch {
    return false;
  }
})();

Deno.test("a Figure displays as SVG in a real Deno-kernel notebook", { ignore: !hasJupyter }, async () => {
  // Inside the repository so the kernel finds deno.json's import map.
  const dir = await Deno.makeTempDir({ dir: new URL(".", import.meta.url).pathname, prefix: ".nb-" });
  const render = new URL("../../lib/plot/render.ts", import.meta.url).href;
  const cell = (id: string, source: string) => ({
    cell_type: "code",
    id,
    metadata: {},
    execution_count: null,
    outputs: [],
    source,
  });
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: [
      cell("a", `import * as Plot from "@observablehq/plot";\nimport { renderPlot } from "${render}";`),
      // Awaited display, as the notebooks do (display.ts explains why).
      cell(
        "b",
        `const fig = renderPlot({ marks: [Plot.dot([{ x: 1, y: 2 }, { x: 2, y: 1 }], { x: "x", y: "y" })] });\n` +
          `await Deno.jupyter.display(fig);`,
      ),
    ],
  };
  try {
    await Deno.writeTextFile(`${dir}/t.ipynb`, JSON.stringify(nb));
    const executed = await executeNotebook(`${dir}/t.ipynb`, { outputPath: `${dir}/t.out.ipynb` });
    const cell = executed.notebook.cells[1];
    const outputs = (cell.cell_type === "code" ? cell.outputs : []) as {
      data?: Record<string, string | string[]>;
    }[];
    const svg = outputs.map((o) => o.data?.["image/svg+xml"]).find((v) => v !== undefined);
    assert.ok(svg, `no image/svg+xml output: ${JSON.stringify(outputs).slice(0, 500)}`);
    const text = Array.isArray(svg) ? svg.join("") : svg;
    assert.match(text, /<svg/);
    assert.equal((text.match(/<circle/g) ?? []).length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
