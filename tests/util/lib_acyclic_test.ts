/**
 * lib/ is a stack of rooms (folders): each may import from rooms below it, never from one above. This test
 * reads every relative import of every module in lib/ (static `from "…"`, side-effect `import "…"` and
 * dynamic `import("…")`), builds the folder-level graph and fails naming the cycle if there is one.
 */
import { assert, assertEquals } from "./assert.ts";
import { join } from "node:path";
import { fromFileUrl } from "../../lib/util/path.ts";

const LIB = fromFileUrl(new URL("../../lib/", import.meta.url));

async function modules(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await modules(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Relative import specifiers of a module's source. */
export function relativeImports(source: string): string[] {
  const specs: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)"(\.{1,2}\/[^"]+)"/g;
  for (const match of source.matchAll(pattern)) specs.push(match[1]);
  return specs;
}

/** Folder-level edges `from → to` (folders directly under lib/), with one example file edge each. */
async function folderGraph(): Promise<Map<string, Map<string, string>>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of await modules(LIB)) {
    const from = file.slice(LIB.length).split("/")[0];
    if (from.endsWith(".ts")) continue;
    for (const spec of relativeImports(await Deno.readTextFile(file))) {
      const target = fromFileUrl(new URL(spec, `file://${file}`));
      if (!target.startsWith(LIB)) continue;
      const to = target.slice(LIB.length).split("/")[0];
      if (to === from || to.endsWith(".ts")) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      const edges = graph.get(from)!;
      if (!edges.has(to)) edges.set(to, `${file.slice(LIB.length)} → ${target.slice(LIB.length)}`);
    }
  }
  return graph;
}

/** The first cycle found by depth-first search, as a list of folders (first = last), or null. */
export function findCycle(graph: Map<string, Map<string, string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}

Deno.test("relativeImports finds static, side-effect and dynamic imports", () => {
  const source =
    `import { a } from "../x/a.ts";\nimport "./side.ts";\nconst m = await import("../y/m.ts");\n` +
    `export { b } from "./b.ts";\nimport { z } from "../deps/zod.ts";\nimport x from "node:path";`;
  assertEquals(relativeImports(source), ["../x/a.ts", "./side.ts", "../y/m.ts", "./b.ts", "../deps/zod.ts"]);
});

Deno.test("findCycle reports a planted cycle and passes a layered graph", () => {
  const edge = (pairs: [string, string][]) => {
    const g = new Map<string, Map<string, string>>();
    for (const [a, b] of pairs) {
      if (!g.has(a)) g.set(a, new Map());
      g.get(a)!.set(b, `${a}→${b}`);
    }
    return g;
  };
  assertEquals(findCycle(edge([["a", "b"], ["b", "c"], ["a", "c"]])), null);
  assertEquals(findCycle(edge([["a", "b"], ["b", "c"], ["c", "a"]])), ["a", "b", "c", "a"]);
});

Deno.test("lib/ has no folder-level import cycle", async () => {
  const graph = await folderGraph();
  assert(graph.size > 5, "the graph was read");
  const cycle = findCycle(graph);
  const explain = cycle
    ? cycle.slice(0, -1).map((from, i) => `  ${graph.get(from)!.get(cycle[i + 1])}`).join("\n")
    : "";
  assertEquals(cycle, null, `folder cycle ${cycle?.join(" → ")}:\n${explain}`);
});
