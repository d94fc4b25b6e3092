"""Generate the hidden Runnel suites (programs, inputs, expected results) from fixed seeds with the reference.

  python3 gen_suite.py OUT_DIR

Writes OUT_DIR/<task>.json and OUT_DIR/<task>_sample.json for interpreter, closures and compiler_opt. For
compiler_opt each case also records the cycles of the reference's naive (-O0) and optimising compilers.
"""
import json
import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "solution"))
import runnel  # noqa: E402

sys.setrecursionlimit(20000)


def r_expr(rng, names, depth):
    if depth == 0 or rng.random() < 0.25:
        if names and rng.random() < 0.6:
            return rng.choice(names)
        return str(rng.choice([0, 1, 2, 3, 7, 10, 255, 1000003, 4611686018427387904, 9223372036854775807]))
    op = rng.choice(["+", "-", "*", "/", "%", "<", "==", "!=", ">=", "&&", "||"])
    a, b = r_expr(rng, names, depth - 1), r_expr(rng, names, depth - 1)
    if op in "/%":
        b = f"({b} + {rng.randint(1, 9)})"  # usually non-zero; zero still possible (a runtime error)
    if rng.random() < 0.15:
        a = f"-{a}"
    return f"({a} {op} {b})"


def t_arith(rng):
    n = rng.randint(2, 4)
    names = [f"v{i}" for i in range(n)]
    lines = [f"let {v} = read();" for v in names]
    for k in range(rng.randint(4, 8)):
        lines.append(f"let w{k} = {r_expr(rng, names, 3)};")
        names.append(f"w{k}")
        lines.append(f"print(w{k});")
    ins = [rng.choice([rng.randint(-50, 50), rng.randint(-10**18, 10**18)]) for _ in range(n)]
    return "\n".join(lines) + "\n", ins


def t_loop_sum(rng):
    a, b, m = rng.randint(2, 9), rng.randint(1, 50), rng.choice([7, 97, 1000007])
    src = f"""let n = read();
let s = 0;
let i = 0;
while (i < n) {{
  if (i % {a} == 0 || i % {a + 1} == 1) {{ s = s + i * {b}; }} else {{ s = s - 1; }}
  i = i + 1;
}}
print(s);
print(s % {m});
"""
    return src, [rng.randint(50, 400)]


def t_fib(rng):
    src = """fn fib(n) {
  if (n < 2) { return n; }
  return fib(n - 1) + fib(n - 2);
}
let k = read();
let i = 0;
while (i <= k) { print(fib(i)); i = i + 1; }
"""
    return src, [rng.randint(8, 14)]


def t_gcd(rng):
    src = """fn gcd(a, b) {
  while (b != 0) { let t = a % b; a = b; b = t; }
  if (a < 0) { return -a; }
  return a;
}
fn lcm(a, b) { return a / gcd(a, b) * b; }
let n = read();
let acc = 1;
let i = 0;
while (i < n) { let x = read(); print(gcd(acc, x)); acc = lcm(acc, x) % 1000000007; i = i + 1; }
print(acc);
"""
    n = rng.randint(4, 9)
    return src, [n] + [rng.randint(-500, 500) or 1 for _ in range(n)]


def t_sieve(rng):
    src = """let n = read();
let comp = array(n + 1, 0);
let count = 0;
let p = 2;
while (p <= n) {
  if (!comp[p]) {
    count = count + 1;
    let q = p * p;
    while (q <= n) { comp[q] = 1; q = q + p; }
  }
  p = p + 1;
}
print(count);
let last = n;
while (last > 1 && comp[last]) { last = last - 1; }
print(last);
"""
    return src, [rng.randint(100, 600)]


def t_sort(rng):
    src = """let n = read();
let a = array(n, 0);
let i = 0;
while (i < n) { a[i] = read(); i = i + 1; }
fn sort(a) {
  let i = 1;
  while (i < len(a)) {
    let x = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > x) { a[j + 1] = a[j]; j = j - 1; }
    a[j + 1] = x;
    i = i + 1;
  }
  return a;
}
let b = sort(a);
print(a);
print(b == a);
print(a[0] + a[n - 1]);
"""
    n = rng.randint(5, 25)
    return src, [n] + [rng.randint(-99, 99) for _ in range(n)]


def t_collatz(rng):
    src = """fn steps(x) {
  let s = 0;
  while (x != 1) {
    if (x % 2 == 0) { x = x / 2; } else { x = 3 * x + 1; }
    s = s + 1;
  }
  return s;
}
let lo = read();
let hi = read();
let best = 0;
let arg = 0;
let v = lo;
while (v <= hi) {
  let s = steps(v);
  if (s > best) { best = s; arg = v; }
  v = v + 1;
}
print(arg);
print(best);
"""
    lo = rng.randint(1, 200)
    return src, [lo, lo + rng.randint(10, 40)]


def t_ackermann(rng):
    src = """fn ack(m, n) {
  if (m == 0) { return n + 1; }
  if (n == 0) { return ack(m - 1, 1); }
  return ack(m - 1, ack(m, n - 1));
}
let m = read();
let n = read();
print(ack(m, n));
"""
    return src, [2, rng.randint(1, 6)]


def t_globals(rng):
    k = rng.randint(2, 9)
    src = f"""let counter = 0;
fn tick(d) {{ counter = counter + d; return counter; }}
fn twice(d) {{ tick(d); return tick(d); }}
let n = read();
let i = 0;
while (i < n) {{
  let counter = 100;
  twice(i % {k});
  counter = counter + 1;
  i = i + 1;
}}
print(counter);
"""
    return src, [rng.randint(5, 60)]


def t_matrix(rng):
    src = """let n = read();
let m = array(n, 0);
let i = 0;
while (i < n) {
  m[i] = array(n, 0);
  let j = 0;
  while (j < n) { m[i][j] = (i * 31 + j * 17 + read()) % 10; j = j + 1; }
  i = i + 1;
}
fn mul(a, b) {
  let n = len(a);
  let c = array(n, 0);
  let i = 0;
  while (i < n) {
    c[i] = array(n, 0);
    let j = 0;
    while (j < n) {
      let s = 0;
      let k = 0;
      while (k < n) { s = s + a[i][k] * b[k][j]; k = k + 1; }
      c[i][j] = s;
      j = j + 1;
    }
    i = i + 1;
  }
  return c;
}
let p = mul(m, mul(m, m));
print(p[0]);
print(p[n - 1][n - 1]);
"""
    n = rng.randint(3, 6)
    return src, [n] + [rng.randint(0, 9) for _ in range(n * n)]


def t_wrap(rng):
    src = """let x = read();
let i = 0;
let h = 1469598103934665603;
while (i < 40) {
  h = (h * 1099511628211) + x + i;
  i = i + 1;
}
print(h);
print(h / 7);
print(h % 7);
print(-h / -7);
"""
    return src, [rng.randint(-10**15, 10**15)]


def t_shortcircuit(rng):
    src = """let calls = 0;
fn t(v) { calls = calls + 1; return v; }
let a = read();
let b = read();
if (t(a) && t(b)) { print(1); } else { print(0); }
print(calls);
if (t(a) || t(b) || t(1)) { print(2); }
print(calls);
print((t(0) && t(1 / 0)) + (t(1) || t(1 / 0)));
print(calls);
print(!t(a) == !!t(b));
"""
    return src, [rng.randint(0, 2), rng.randint(0, 2)]


def t_error(rng):
    kind = rng.randint(0, 3)
    body = ["print(10 / (n - n));", "let a = array(n, 1); print(a[n]);", "print(read() + read());",
            "let a = array(3, 0); print(a + 1);"][kind]
    src = f"""let n = read();
print(n * 2);
fn f(k) {{ if (k == 0) {{ {body} }} return f(k - 1) + 1; }}
print(f(n));
print(99);
"""
    return src, [rng.randint(1, 5)]


BASE_TEMPLATES = [t_arith, t_loop_sum, t_fib, t_gcd, t_sieve, t_sort, t_collatz, t_ackermann, t_globals,
                  t_matrix, t_wrap, t_shortcircuit, t_error]

EDGE_BASE = [
    # scoping: shadowing in blocks, a block's variable dies with the block
    ("let x = 1;\n{ let x = 2; print(x); x = 3; print(x); }\nprint(x);\nif (x) { let x = x + 10; print(x); }\n"
     "print(x);\n", []),
    ("let x = 1;\n{ let y = 2; }\nprint(y);\n", []),  # static error: y undeclared
    ("let x = 1;\nlet x = 2;\n", []),  # static error: duplicate let in one scope
    ("print(1);\nprint(nope(2));\n", []),  # static error before any output
    ("fn f(a, b) { return a; }\nprint(f(1));\n", []),  # static error: arity
    ("print(1);\nprint(2 +);\n", []),  # parse error
    ("print(-7 / 2);\nprint(-7 % 2);\nprint(7 / -2);\nprint(7 % -2);\nprint(-7 / -2);\nprint(-7 % -2);\n"
     "print(0 / 5);\n", []),
    ("let m = -9223372036854775807 - 1;\nprint(m);\nprint(m / -1);\nprint(m % -1);\nprint(-m);\nprint(m - 1);\n"
     "print(m * -1);\n", []),
    ("print(9223372036854775808);\n", []),  # static error: literal out of range
    ("fn f(n) { if (n == 0) { return 0; } return 1 + f(n - 1); }\nprint(f(400));\n", []),
    ("fn even(n) { if (n == 0) { return 1; } return odd(n - 1); }\n"
     "fn odd(n) { if (n == 0) { return 0; } return even(n - 1); }\nprint(even(31));\nprint(odd(31));\n", []),
    ("fn g() { return total; }\nprint(g());\nlet total = 5;\nprint(g());\n", []),
    ("let a = array(3, 0);\nlet b = a;\nb[1] = 5;\nprint(a);\nprint(a == b);\nprint(a == array(3, 0));\n"
     "print(len(array(0, 1)));\n", []),
    ("print(1 < 2 == 1);\nprint(2 - 3 - 4);\nprint(2 * 3 % 4);\nprint(!0 + !5);\nprint(-(-3));\n"
     "print(1 || 0 && 0);\n", []),
    ("let i = 0;\nwhile (i < 3) { print(read()); i = i + 1; }\n", [4, -5]),  # read past the end
    ("fn f() { print(7); }\nprint(f());\nlet z = f();\nprint(z + 1);\n", []),
    ("let x = 5;\nif (x > 3) { print(1); } else if (x > 1) { print(2); } else { print(3); }\n"
     "if (x > 9) { print(4); } else if (x > 1) { print(5); }\n", []),
    ("return 1;\n", []),  # static error: return outside a function
    ("let a = array(2, 0);\nprint(a[-1]);\n", []),
]


def t_closure_counter(rng):
    k = rng.randint(1, 9)
    src = f"""fn counter(start) {{
  let n = start;
  return fn() {{ n = n + {k}; return n; }};
}}
let a = counter(read());
let b = counter(100);
print(a());
print(a());
print(b());
print(a());
let fs = array(3, 0);
let i = 0;
while (i < 3) {{ let j = i; fs[i] = fn(x) {{ return x * 10 + j; }}; i = i + 1; }}
print(fs[0](1) + fs[1](2) + fs[2](3));
"""
    return src, [rng.randint(-20, 20)]


def t_closure_hof(rng):
    src = """fn map(a, f) {
  let b = array(len(a), 0);
  let i = 0;
  while (i < len(a)) { b[i] = f(a[i]); i = i + 1; }
  return b;
}
fn fold(a, f, acc) {
  let i = 0;
  while (i < len(a)) { acc = f(acc, a[i]); i = i + 1; }
  return acc;
}
fn compose(f, g) { return fn(x) { return f(g(x)); }; }
let n = read();
let a = array(n, 0);
let i = 0;
while (i < n) { a[i] = read(); i = i + 1; }
let sq = fn(x) { return x * x; };
let inc = fn(x) { return x + 1; };
print(map(a, compose(sq, inc)));
print(fold(a, fn(s, x) { return s + x; }, 0));
print(fold(map(a, sq), fn(m, x) { if (x > m) { return x; } return m; }, -1));
"""
    n = rng.randint(3, 10)
    return src, [n] + [rng.randint(-30, 30) for _ in range(n)]


def t_strings(rng):
    w = rng.choice(["brook", "stream", "runnel", "delta", "eddy"])
    src = f"""fn rev(s) {{
  let r = "";
  let i = len(s) - 1;
  while (i >= 0) {{ r = r + s[i]; i = i - 1; }}
  return r;
}}
fn repeat(s, n) {{ let r = ""; while (n > 0) {{ r = r + s; n = n - 1; }} return r; }}
let n = read();
let w = "{w}";
print(rev(w));
print(repeat(w, n) + "!");
print(len(repeat("ab", n)));
print("n=" + str(n) + ", n*n=" + str(n * n));
print(w == "{w}");
print(w < "m");
let caesar = "";
let i = 0;
while (i < len(w)) {{ caesar = caesar + chr((ord(w[i]) - 97 + n) % 26 + 97); i = i + 1; }}
print(caesar);
print("tab\\"quote\\\\");
"""
    return src, [rng.randint(1, 6)]


def t_closure_memo(rng):
    src = """fn memo(f) {
  let cache = array(100, -1);
  let self = 0;
  self = fn(n) {
    if (cache[n] < 0) { cache[n] = f(self, n); }
    return cache[n];
  };
  return self;
}
let fib = memo(fn(rec, n) { if (n < 2) { return n; } return rec(n - 1) + rec(n - 2); });
let k = read();
print(fib(k));
print(fib(k / 2));
let adders = array(4, 0);
let i = 0;
while (i < 4) { adders[i] = fn(x) { return x + i; }; i = i + 1; }
print(adders[0](10));
"""
    return src, [rng.randint(30, 90)]


def t_closure_error(rng):
    kind = rng.randint(0, 3)
    bad = ['print("a" + 1);', "let f = 3; f(1);", "let g = fn(a) { return a; }; g(1, 2);",
           'print(ord("ab"));'][kind]
    src = f"""let n = read();
print("start " + str(n));
let h = fn() {{ {bad} return 0; }};
if (n > 0) {{ h(); }}
print("end");
"""
    return src, [rng.randint(0, 3)]


CLOSURE_TEMPLATES = [t_closure_counter, t_closure_hof, t_strings, t_closure_memo, t_closure_error]

EDGE_CLOSURES = [
    ('let s = "x";\nlet f = fn() { return s; };\ns = "y";\nprint(f());\nprint(len(""));\nprint("" == "");\n'
     'print(str(-5) + str(0));\n', []),
    ("fn outer() { let x = 1; let get = fn() { return x; }; x = 2; return get; }\nprint(outer()());\n", []),
    ("fn f(x) { return x; }\nlet g = f;\nprint(g(4));\nprint(f == g);\nprint(f);\nprint(fn() { return 0; });\n",
     []),
    ('let a = array(2, "s");\na[1] = fn(x) { return x + "!"; };\nprint(a[1](a[0]));\nprint(array(2, "q"));\n',
     []),
    ("let f = fn(n) { return n; };\nprint(f(1));\nprint(f(1, 2));\nprint(3);\n", []),
    ('print("abc"[1]);\nprint("abc"[3]);\n', []),
    ('print(1 == "1");\nprint("b" > "abc");\nprint("x" * 2);\n', []),
    ("let print = 3;\n", []),  # static error: a builtin's name
    # a closure keeps the variable visible where it was made, even when a later let shadows the name
    ("fn f(n) { let g = fn() { return n; }; let n = 5; return g() * 10 + n; }\nprint(f(2));\n"
     "let x = 1;\n{ let get = fn() { return x; }; let x = 7; x = 8; print(get() * 10 + x); }\n", []),
    ("fn mk() { let c = 0; return fn() { c = c + 1; return c; }; }\nlet p = mk();\nlet q = mk();\n"
     "p(); p();\nprint(p() * 10 + q());\n", []),
]


def cases_interp(seed, templates, edges, count):
    rng = random.Random(seed)
    out = []
    for src, ins in edges:
        out.append((src, ins))
    while len(out) < count:
        out.append(rng.choice(templates)(rng))
    res = []
    for src, ins in out:
        lines, code = runnel.run_source(src, ins)
        res.append({"src": src, "stdin": " ".join(map(str, ins)) + "\n", "stdout": "".join(x + "\n" for x in lines),
                    "exit": code})
    return res


def cases_compiler(seed, count, sample=False):
    rng = random.Random(seed)
    templates = [t for t in BASE_TEMPLATES if t is not t_arith] + [t_arith]
    res = []
    while len(res) < count:
        t = templates[len(res) % len(templates)] if not sample else rng.choice(templates)
        src, ins = t(rng)
        runs = []
        for k in range(2):
            if k:  # the same program on fresh inputs of the same shape
                _, ins = t(random.Random(rng.random()))
            lines, code = runnel.run_source(src, ins)
            runs.append({"input": [str(x) for x in ins], "stdout": "".join(x + "\n" for x in lines), "error": code == 3})
        naive = runnel.compile_source(src, opt=False)
        opt = runnel.compile_source(src, opt=True)
        for r in runs:
            o0, s0, c0 = runnel.vm(naive, [int(x) for x in r["input"]])
            o2, s2, c2 = runnel.vm(opt, [int(x) for x in r["input"]])
            exp = (r["stdout"], "error" if r["error"] else "ok")
            assert ("".join(x + "\n" for x in o0), s0) == exp, (src, r, o0, s0)
            assert ("".join(x + "\n" for x in o2), s2) == exp, (src, r, o2, s2)
            r["naive_cycles"], r["ref_cycles"] = c0, c2
        res.append({"src": src, "runs": runs})
    return res


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    suites = {
        "interpreter": cases_interp(1501, BASE_TEMPLATES, EDGE_BASE, 42),
        "interpreter_sample": cases_interp(1502, BASE_TEMPLATES, [], 6),
        "closures": cases_interp(1503, BASE_TEMPLATES + CLOSURE_TEMPLATES * 2, EDGE_BASE + EDGE_CLOSURES, 52),
        "closures_sample": cases_interp(1504, CLOSURE_TEMPLATES, [], 6),
        "compiler_opt": cases_compiler(1505, 32),
        "compiler_opt_sample": cases_compiler(1506, 6, sample=True),
    }
    for name, cases in suites.items():
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(cases, f, indent=0)
        codes = {}
        for c in cases:
            for k in ([c["exit"]] if "exit" in c else [r["error"] for r in c["runs"]]):
                codes[k] = codes.get(k, 0) + 1
        print(name, len(cases), codes)


if __name__ == "__main__":
    main(sys.argv[1])
