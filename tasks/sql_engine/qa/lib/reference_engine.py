"""Reference SQL engine for the sql_engine task family: tokeniser, recursive-descent parser, hash joins, evaluator.

Usage: python3 engine.py DBDIR < queries   (queries separated by lines holding only @@; see the task's SPEC).
"""
import csv
import os
import re
import sys

KEYWORDS = set(
    "SELECT DISTINCT ALL FROM WHERE GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET AS JOIN INNER LEFT OUTER ON AND OR "
    "NOT NULL IS IN LIKE BETWEEN CASE WHEN THEN ELSE END EXISTS UNION WITH CROSS".split()
)
AGGS = {"COUNT", "SUM", "AVG", "MIN", "MAX"}
TOKEN = re.compile(
    r"\s+|--[^\n]*|(\d+\.\d*|\.\d+|\d+)|('(?:[^']|'')*')|([A-Za-z_][A-Za-z0-9_]*)|(<>|!=|<=|>=|\|\||==|[-+*/%(),.;=<>])"
)


class SqlError(Exception):
    pass


def tokenize(text):
    out, pos = [], 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise SqlError("bad character")
        pos = m.end()
        num, s, word, op = m.groups()
        if num:
            out.append(("num", float(num) if "." in num else int(num)))
        elif s:
            out.append(("str", s[1:-1].replace("''", "'")))
        elif word:
            up = word.upper()
            out.append(("kw", up) if up in KEYWORDS else ("id", word.lower()))
        elif op:
            out.append(("op", "!=" if op == "<>" else "=" if op == "==" else op))
    while out and out[-1] == ("op", ";"):
        out.pop()
    out.append(("end", None))
    return out


class Parser:
    def __init__(self, text):
        self.t, self.i = tokenize(text), 0

    def peek(self, k=0):
        return self.t[self.i + k]

    def take(self):
        self.i += 1
        return self.t[self.i - 1]

    def accept(self, kind, val=None):
        tok = self.peek()
        if tok[0] == kind and (val is None or tok[1] == val):
            self.i += 1
            return tok
        return None

    def kw(self, *words):
        return any(self.peek() == ("kw", w) for w in words)

    def expect(self, kind, val=None):
        tok = self.accept(kind, val)
        if tok is None:
            raise SqlError("syntax error near %r" % (self.peek()[1],))
        return tok

    def ident(self):
        return self.expect("id")[1]

    def statement(self):
        q = self.query()
        self.expect("end")
        return q

    def query(self):
        ctes = []
        if self.accept("kw", "WITH"):
            while True:
                name = self.ident()
                self.expect("kw", "AS")
                self.expect("op", "(")
                ctes.append((name, self.query()))
                self.expect("op", ")")
                if not self.accept("op", ","):
                    break
        parts = [("", self.select())]
        while self.accept("kw", "UNION"):
            parts.append(("ALL" if self.accept("kw", "ALL") else "UNION", self.select()))
        order, limit, offset = [], None, None
        if self.accept("kw", "ORDER"):
            self.expect("kw", "BY")
            while True:
                e = self.expr()
                desc = bool(self.accept("kw", "DESC"))
                if not desc:
                    self.accept("kw", "ASC")
                order.append((e, desc))
                if not self.accept("op", ","):
                    break
        if self.accept("kw", "LIMIT"):
            limit = self.expr()
            if self.accept("kw", "OFFSET"):
                offset = self.expr()
            elif self.accept("op", ","):
                offset, limit = limit, self.expr()
        return {"ctes": ctes, "parts": parts, "order": order, "limit": limit, "offset": offset}

    def select(self):
        self.expect("kw", "SELECT")
        distinct = bool(self.accept("kw", "DISTINCT"))
        self.accept("kw", "ALL")
        items = []
        while True:
            if self.accept("op", "*"):
                items.append(("star", None))
            elif self.peek()[0] == "id" and self.peek(1) == ("op", ".") and self.peek(2) == ("op", "*"):
                items.append(("star", self.take()[1]))
                self.i += 2
            else:
                e = self.expr()
                alias = None
                if self.accept("kw", "AS"):
                    alias = self.ident()
                elif self.peek()[0] == "id":
                    alias = self.take()[1]
                items.append(("expr", e, alias))
            if not self.accept("op", ","):
                break
        sel = {"distinct": distinct, "items": items, "from": None, "where": None, "group": [], "having": None}
        if self.accept("kw", "FROM"):
            sel["from"] = self.from_clause()
        if self.accept("kw", "WHERE"):
            sel["where"] = self.expr()
        if self.accept("kw", "GROUP"):
            self.expect("kw", "BY")
            sel["group"] = self.expr_list()
        if self.accept("kw", "HAVING"):
            sel["having"] = self.expr()
        return sel

    def table_ref(self):
        if self.accept("op", "("):
            sub = self.query()
            self.expect("op", ")")
            self.accept("kw", "AS")
            return ("sub", sub, self.ident())
        name = self.ident()
        alias = name
        if self.accept("kw", "AS"):
            alias = self.ident()
        elif self.peek()[0] == "id":
            alias = self.take()[1]
        return ("table", name, alias)

    def from_clause(self):
        joins = [("first", self.table_ref(), None)]
        while True:
            if self.accept("op", ","):
                joins.append(("inner", self.table_ref(), None))
                continue
            kind = None
            if self.accept("kw", "LEFT"):
                self.accept("kw", "OUTER")
                kind = "left"
            elif self.accept("kw", "INNER") or self.kw("JOIN"):
                kind = "inner"
            elif self.accept("kw", "CROSS"):
                kind = "cross"
            if kind is None:
                return joins
            self.expect("kw", "JOIN")
            ref = self.table_ref()
            on = None
            if kind != "cross" and self.accept("kw", "ON"):
                on = self.expr()
            elif kind == "left":
                raise SqlError("LEFT JOIN needs ON")
            joins.append(("left" if kind == "left" else "inner", ref, on))

    def expr_list(self):
        out = [self.expr()]
        while self.accept("op", ","):
            out.append(self.expr())
        return out

    def expr(self):
        e = self.and_expr()
        while self.accept("kw", "OR"):
            e = ("or", e, self.and_expr())
        return e

    def and_expr(self):
        e = self.not_expr()
        while self.accept("kw", "AND"):
            e = ("and", e, self.not_expr())
        return e

    def not_expr(self):
        if self.accept("kw", "NOT"):
            return ("not", self.not_expr())
        return self.equality()

    def equality(self):
        e = self.comparison()
        while True:
            tok = self.peek()
            if tok[0] == "op" and tok[1] in ("=", "!="):
                self.i += 1
                e = ("cmp", tok[1], e, self.comparison())
            elif self.accept("kw", "IS"):
                neg = bool(self.accept("kw", "NOT"))
                e = ("is", neg, e, self.comparison())
            else:
                neg = False
                if self.kw("NOT") and self.peek(1)[0] == "kw" and self.peek(1)[1] in ("IN", "LIKE", "BETWEEN"):
                    self.i += 1
                    neg = True
                if self.accept("kw", "IN"):
                    self.expect("op", "(")
                    if self.kw("SELECT", "WITH"):
                        e = ("insub", neg, e, self.query())
                    else:
                        e = ("inlist", neg, e, self.expr_list())
                    self.expect("op", ")")
                elif self.accept("kw", "LIKE"):
                    e = ("like", neg, e, self.comparison())
                elif self.accept("kw", "BETWEEN"):
                    lo = self.comparison()
                    self.expect("kw", "AND")
                    e = ("between", neg, e, lo, self.comparison())
                elif neg:
                    raise SqlError("syntax error after NOT")
                else:
                    return e

    def comparison(self):
        e = self.additive()
        while self.peek()[0] == "op" and self.peek()[1] in ("<", "<=", ">", ">="):
            e = ("cmp", self.take()[1], e, self.additive())
        return e

    def additive(self):
        e = self.term()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            e = ("arith", self.take()[1], e, self.term())
        return e

    def term(self):
        e = self.concat()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/", "%"):
            e = ("arith", self.take()[1], e, self.concat())
        return e

    def concat(self):
        e = self.unary()
        while self.accept("op", "||"):
            e = ("concat", e, self.unary())
        return e

    def unary(self):
        if self.accept("op", "-"):
            return ("neg", self.unary())
        if self.accept("op", "+"):
            return self.unary()
        return self.primary()

    def primary(self):
        kind, val = self.take()
        if kind in ("num", "str"):
            return ("lit", val)
        if kind == "kw" and val == "NULL":
            return ("lit", None)
        if kind == "op" and val == "(":
            if self.kw("SELECT", "WITH"):
                e = ("scalar", self.query())
            else:
                e = self.expr()
            self.expect("op", ")")
            return e
        if kind == "kw" and val == "EXISTS":
            self.expect("op", "(")
            q = self.query()
            self.expect("op", ")")
            return ("exists", q)
        if kind == "kw" and val == "CASE":
            base = None if self.kw("WHEN") else self.expr()
            whens = []
            while self.accept("kw", "WHEN"):
                w = self.expr()
                self.expect("kw", "THEN")
                whens.append((w, self.expr()))
            if not whens:
                raise SqlError("CASE without WHEN")
            other = self.expr() if self.accept("kw", "ELSE") else ("lit", None)
            self.expect("kw", "END")
            return ("case", base, whens, other)
        if kind == "id":
            if self.accept("op", "("):
                name = val.upper()
                if name in AGGS:
                    if name == "COUNT" and self.accept("op", "*"):
                        self.expect("op", ")")
                        return ("agg", "COUNT", None, False)
                    distinct = bool(self.accept("kw", "DISTINCT"))
                    arg = self.expr()
                    self.expect("op", ")")
                    return ("agg", name, arg, distinct)
                args = [] if self.peek() == ("op", ")") else self.expr_list()
                self.expect("op", ")")
                return ("func", name, args)
            if self.accept("op", "."):
                return ("col", val, self.ident())
            return ("col", None, val)
        raise SqlError("syntax error near %r" % (val,))


# ---------------------------------------------------------------- values


def rank(v):
    return 0 if v is None else 1 if isinstance(v, (int, float)) else 2


def compare(a, b):
    ra, rb = rank(a), rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if ra == 0:
        return 0
    return -1 if a < b else 1 if a > b else 0


def sort_key(v):
    return (rank(v), v) if v is not None else (0, 0)


def truth(v):
    if v is None:
        return None
    if isinstance(v, str):
        m = re.match(r"\s*[-+]?(\d+\.?\d*|\.\d+)", v)
        return bool(m and float(m.group(0)) != 0)
    return v != 0


def to_text(v):
    if isinstance(v, float):
        return fmt(v)
    return str(v)


def fmt(v):
    if v is None:
        return "NULL"
    if isinstance(v, float):
        s = "%.4f" % v
        s = s.rstrip("0")
        if s.endswith("."):
            s += "0"
        return "0.0" if s == "-0.0" else s
    return str(v)


def like_regex(pattern):
    out = []
    for ch in pattern:
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return re.compile("".join(out) + r"\Z", re.S | re.I | re.A)


def arith(op, a, b):
    if a is None or b is None:
        return None
    if isinstance(a, str) or isinstance(b, str):
        raise SqlError("arithmetic on text")
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        return None
    if op == "/":
        if isinstance(a, int) and isinstance(b, int):
            q = abs(a) // abs(b)
            return q if (a >= 0) == (b >= 0) else -q
        return a / b
    a, b = int(a), int(b)
    if b == 0:
        return None
    r = abs(a) % abs(b)
    return r if a >= 0 else -r


def substr(s, start, length=None):
    if s is None or start is None:
        return None
    s = to_text(s)
    if start < 0:
        start = len(s) + start + 1
        if start < 1:
            if length is not None:
                length += start - 1
            start = 1
    elif start == 0:
        if length is not None:
            length -= 1
        start = 1
    if length is None:
        return s[start - 1:]
    if length < 0:
        return None if length is None else s[max(start - 1 + length, 0):start - 1]
    return s[start - 1:start - 1 + length]


def call(name, args):
    if name == "COALESCE" or name == "IFNULL":
        for a in args:
            if a is not None:
                return a
        return None
    if name == "NULLIF":
        return None if args[0] is not None and compare(args[0], args[1]) == 0 else args[0]
    if any(a is None for a in args[:1]):
        return None
    a = args[0]
    if name == "UPPER":
        return to_text(a).upper()
    if name == "LOWER":
        return to_text(a).lower()
    if name == "LENGTH":
        return len(to_text(a))
    if name == "ABS":
        if isinstance(a, str):
            raise SqlError("ABS of text")
        return abs(a)
    if name == "SUBSTR":
        return substr(a, *args[1:])
    if name == "TRIM":
        return to_text(a).strip(" ")
    raise SqlError("unknown function")


ARITY = {"UPPER": (1, 1), "LOWER": (1, 1), "LENGTH": (1, 1), "ABS": (1, 1), "SUBSTR": (2, 3), "TRIM": (1, 1),
         "COALESCE": (2, 99), "IFNULL": (2, 2), "NULLIF": (2, 2)}


# ---------------------------------------------------------------- database


class Database:
    def __init__(self, folder):
        self.folder, self.schema, self.cache = folder, {}, {}
        with open(os.path.join(folder, "schema.txt")) as handle:
            for line in handle:
                parts = line.split()
                if parts:
                    self.schema[parts[0].lower()] = [
                        (c.split(":")[0].lower(), c.split(":")[1].upper()) for c in parts[1:]
                    ]

    def table(self, name):
        if name not in self.schema:
            raise SqlError("no such table: " + name)
        if name not in self.cache:
            conv = []
            for _, typ in self.schema[name]:
                conv.append(int if typ == "INTEGER" else float if typ == "REAL" else str)
            with open(os.path.join(self.folder, name + ".csv"), newline="") as handle:
                reader = csv.reader(handle)
                next(reader)
                recs = list(reader)
            # Column by column: one comprehension per column is much faster than one generator per row.
            columns = [[None if v == "" else c(v) for v in col] for c, col in zip(conv, zip(*recs))]
            self.cache[name] = list(zip(*columns)) if recs else []
        return [c for c, _ in self.schema[name]], self.cache[name]


# ---------------------------------------------------------------- compiler / executor


class Scope:
    """Columns visible in one SELECT: a list of (table alias, column name), plus the enclosing scope."""

    def __init__(self, cols, parent=None):
        self.cols, self.parent = cols, parent

    def find(self, table, name):
        hits = [i for i, (t, c) in enumerate(self.cols) if c == name and (table is None or t == table)]
        if len(hits) > 1:
            raise SqlError("ambiguous column name: " + name)
        return hits[0] if hits else None


class Engine:
    def __init__(self, db):
        self.db = db

    def run(self, text):
        q = Parser(text).statement()
        cols, rows = self.query(q, None, {})
        return rows

    # A compiled expression is f(env) where env = (row, outer_env).
    def compile(self, e, scope, ctes, agg=None):
        k = e[0]
        if k == "lit":
            v = e[1]
            return lambda env: v
        if k == "col":
            depth, s = 0, scope
            while s is not None:
                i = s.find(e[1], e[2])
                if i is not None:
                    break
                depth, s = depth + 1, s.parent
            else:
                raise SqlError("no such column: " + e[2])
            if depth == 0:
                return lambda env: env[0][i]
            if depth == 1:
                return lambda env: env[1][0][i]

            def outer(env):
                for _ in range(depth):
                    env = env[1]
                return env[0][i]

            return outer
        if k == "agg":
            if agg is None:
                raise SqlError("misuse of aggregate function " + e[1])
            slot = agg["base"] + len(agg["list"])
            argf = None
            if e[2] is not None:
                if any(x[0] == "agg" for x in walk(e[2])):
                    raise SqlError("nested aggregate")
                argf = self.compile(e[2], agg["scope"], ctes)
            agg["list"].append((e[1], argf, e[3]))
            return lambda env: env[0][slot]
        c = lambda x: self.compile(x, scope, ctes, agg)  # noqa: E731
        if k in ("and", "or"):
            f, g = c(e[1]), c(e[2])
            if k == "and":

                def f_and(env):
                    a = truth(f(env))
                    if a is False:
                        return 0
                    b = truth(g(env))
                    if b is False:
                        return 0
                    return None if a is None or b is None else 1

                return f_and

            def f_or(env):
                a = truth(f(env))
                if a:
                    return 1
                b = truth(g(env))
                if b:
                    return 1
                return None if a is None or b is None else 0

            return f_or
        if k == "not":
            f = c(e[1])

            def f_not(env):
                a = truth(f(env))
                return None if a is None else int(not a)

            return f_not
        if k == "cmp":
            op, f, g = e[1], c(e[2]), c(e[3])
            test = {"=": lambda r: r == 0, "!=": lambda r: r != 0, "<": lambda r: r < 0, "<=": lambda r: r <= 0,
                    ">": lambda r: r > 0, ">=": lambda r: r >= 0}[op]

            def f_cmp(env):
                a, b = f(env), g(env)
                if a is None or b is None:
                    return None
                return int(test(compare(a, b)))

            return f_cmp
        if k == "is":
            neg, f, g = e[1], c(e[2]), c(e[3])
            return lambda env: int((compare(f(env), g(env)) == 0) != neg)
        if k == "inlist":
            neg, f, gs = e[1], c(e[2]), [c(x) for x in e[3]]
            return lambda env: in_values(f(env), [g(env) for g in gs], neg)
        if k == "insub":
            neg, f, sub = e[1], c(e[2]), self.subquery(e[3], scope, ctes)
            memo = {"rows": None}

            def f_insub(env):
                rows = sub(env)
                if memo["rows"] is not rows:  # a non-correlated subquery gives the same list every time
                    memo.update(rows=rows, set={norm(r[0]) for r in rows if r[0] is not None},
                                null=any(r[0] is None for r in rows))
                a = f(env)
                if not rows:
                    return int(neg)
                if a is None:
                    return None
                if norm(a) in memo["set"]:
                    return int(not neg)
                return None if memo["null"] else int(neg)

            return f_insub
        if k == "exists":
            sub = self.subquery(e[1], scope, ctes, one_column=False)
            return lambda env: int(bool(sub(env)))
        if k == "scalar":
            sub = self.subquery(e[1], scope, ctes)

            def f_scalar(env):
                rows = sub(env)
                return rows[0][0] if rows else None

            return f_scalar
        if k == "like":
            neg, f, g = e[1], c(e[2]), c(e[3])
            cache = {}

            def f_like(env):
                a, p = f(env), g(env)
                if a is None or p is None:
                    return None
                if p not in cache:
                    cache[p] = like_regex(to_text(p))
                return int(bool(cache[p].match(to_text(a))) != neg)

            return f_like
        if k == "between":
            neg, f, lo, hi = e[1], c(e[2]), c(e[3]), c(e[4])

            def f_between(env):
                a, l, h = f(env), lo(env), hi(env)
                x = None if a is None or l is None else compare(a, l) >= 0
                y = None if a is None or h is None else compare(a, h) <= 0
                if x is False or y is False:
                    r = False
                elif x is None or y is None:
                    return None
                else:
                    r = True
                return int(r != neg)

            return f_between
        if k == "arith":
            op, f, g = e[1], c(e[2]), c(e[3])
            return lambda env: arith(op, f(env), g(env))
        if k == "concat":
            f, g = c(e[1]), c(e[2])

            def f_concat(env):
                a, b = f(env), g(env)
                return None if a is None or b is None else to_text(a) + to_text(b)

            return f_concat
        if k == "neg":
            f = c(e[1])
            return lambda env: arith("-", 0, f(env))
        if k == "case":
            base = c(e[1]) if e[1] is not None else None
            whens = [(c(w), c(t)) for w, t in e[2]]
            other = c(e[3])

            def f_case(env):
                if base is None:
                    for w, t in whens:
                        if truth(w(env)):
                            return t(env)
                else:
                    b = base(env)
                    for w, t in whens:
                        v = w(env)
                        if b is not None and v is not None and compare(b, v) == 0:
                            return t(env)
                return other(env)

            return f_case
        if k == "func":
            name = e[1]
            if name not in ARITY:
                raise SqlError("no such function: " + name)
            lo, hi = ARITY[name]
            if not lo <= len(e[2]) <= hi:
                raise SqlError("wrong number of arguments to function " + name)
            fs = [c(x) for x in e[2]]
            return lambda env: call(name, [f(env) for f in fs])
        raise SqlError("unsupported expression")

    def subquery(self, q, scope, ctes, one_column=True):
        """A correlated-or-not subquery: f(env) -> rows; cached per outer values when it is uncorrelated."""
        plan = self.plan_query(q, scope, ctes)
        if one_column and len(plan["names"]) != 1:
            raise SqlError("sub-select returns %d columns - expected 1" % len(plan["names"]))
        if not plan["correlated"]:
            memo = []

            def run_once(env):
                if not memo:
                    memo.append(plan["run"](None)[1])
                return memo[0]

            return run_once
        return lambda env: plan["run"](env)[1]

    def query(self, q, outer_env, ctes):
        plan = self.plan_query(q, None, ctes)
        return plan["run"](outer_env)

    def plan_query(self, q, scope, ctes):
        ctes = dict(ctes)
        for name, sub in q["ctes"]:
            p = self.plan_query(sub, None, ctes)
            ctes[name] = ("cte", p)
        tracker = {"correlated": False}
        parts = [(kind, self.plan_select(sel, scope, ctes, tracker, q if len(q["parts"]) == 1 else None))
                 for kind, sel in q["parts"]]
        ncols = len(parts[0][1]["names"])
        if any(len(p["names"]) != ncols for _, p in parts):
            raise SqlError("SELECTs to the left and right of UNION do not have the same number of result columns")
        names = parts[0][1]["names"]
        order = []
        if len(parts) > 1:
            for e, desc in q["order"]:
                order.append((output_index(e, names, True), desc))
        limit = self.const(q["limit"])
        offset = self.const(q["offset"])

        def run(env):
            if len(parts) == 1:
                rows = parts[0][1]["run"](env)
            else:
                rows = []
                for kind, p in parts:  # left to right: a UNION b UNION ALL c = (a UNION b) UNION ALL c
                    rows.extend(p["run"](env))
                    if kind == "UNION":
                        rows = dedupe(rows)
                if order:
                    rows = sort_rows(rows, [(lambda r, i=i: r[i], d) for i, d in order])
            rows = [r[:ncols] for r in rows]
            lo = offset(None) if offset else 0
            lo = max(lo or 0, 0)
            if limit:
                n = limit(None)
                if n is not None and n >= 0:
                    return names, rows[lo:lo + n]
            return names, rows[lo:]

        return {"run": run, "names": names, "correlated": tracker["correlated"]}

    def const(self, e):
        if e is None:
            return None
        f = self.compile(e, Scope([]), {})
        return f

    def source(self, ref, ctes, scope):
        """(columns, rows-producer) of one FROM item."""
        if ref[0] == "sub":
            plan = self.plan_query(ref[1], None, ctes)
            return [(ref[2], n) for n in plan["names"]], lambda: plan["run"](None)[1]
        name, alias = ref[1], ref[2]
        if name in ctes:
            plan = ctes[name][1]
            memo = []

            def rows():
                if not memo:
                    memo.append(plan["run"](None)[1])
                return memo[0]

            return [(alias, n) for n in plan["names"]], rows
        cols, _ = self.db.table(name)
        return [(alias, c) for c in cols], lambda: self.db.table(name)[1]

    def plan_select(self, sel, outer, ctes, tracker, q):
        # FROM: a left-deep chain of joins, each planned as a hash join when its ON has equalities.
        cols, producers = [], []
        if sel["from"] is None:
            make_rows = lambda env: [()]  # noqa: E731
        else:
            steps = []
            for kind, ref, on in sel["from"]:
                rcols, rrows = self.source(ref, ctes, outer)
                if kind == "first":
                    cols = list(rcols)
                    steps.append(("first", rrows, None))
                    continue
                left_n = len(cols)
                cols = cols + rcols
                steps.append((kind, rrows, self.plan_join(on, cols, left_n, len(rcols), outer, ctes, tracker)))

            def make_rows(env):
                rows = None
                for kind, rrows, join in steps:
                    if kind == "first":
                        rows = list(rrows())
                    else:
                        rows = join(rows, rrows(), kind, env)
                return rows

        scope = Scope(cols, outer)
        self.mark_correlation(scope, tracker)
        where = self.compile(sel["where"], scope, ctes) if sel["where"] is not None else None
        # Output items.
        exprs, names = [], []
        for item in sel["items"]:
            if item[0] == "star":
                found = False
                for i, (t, c) in enumerate(cols):
                    if item[1] is None or t == item[1]:
                        exprs.append(("col", None, None, i))
                        names.append(c)
                        found = True
                if not found:
                    raise SqlError("no such table: " + str(item[1]))
            else:
                exprs.append(item[1])
                names.append(item[2] or (item[1][2] if item[1][0] == "col" else "?"))
        grouped = bool(sel["group"]) or any(
            x[0] == "agg" for e in exprs if e[0] != "col" or len(e) == 3 for x in walk(e)
        ) or sel["having"] is not None
        if q is not None and not grouped:
            grouped = any(x[0] == "agg" for e, _ in q["order"] for x in walk(e))
        agg = {"base": len(cols), "list": [], "scope": scope} if grouped else None
        if sel["where"] is not None and any(x[0] == "agg" for x in walk(sel["where"])):
            raise SqlError("misuse of aggregate in WHERE")
        post_scope = Scope(cols, outer)
        outs = []
        for e in exprs:
            if e[0] == "col" and len(e) == 4:
                i = e[3]
                outs.append(lambda env, i=i: env[0][i])
            else:
                outs.append(self.compile(e, post_scope, ctes, agg))
        keys = []
        for g in sel["group"]:
            if any(x[0] == "agg" for x in walk(g)):
                raise SqlError("aggregate functions are not allowed in the GROUP BY clause")
            keys.append(self.group_term(g, sel, exprs, scope, ctes))
        having = self.compile(sel["having"], post_scope, ctes, agg) if sel["having"] is not None else None
        # ORDER BY of a single SELECT: output ordinal, output alias, or an expression over the source.
        order = []
        if q is not None:
            for e, desc in q["order"]:
                idx = output_index(e, names, False, sel["items"])
                if idx is not None:
                    order.append((lambda r, i=idx: r[i], desc))
                else:
                    f = self.compile(e, post_scope, ctes, agg)
                    order.append((("extra", f), desc))
        extras = [o[0][1] for o in order if isinstance(o[0], tuple)]
        final_order = []
        k = len(outs)
        for o, desc in order:
            if isinstance(o, tuple):
                final_order.append((lambda r, i=k: r[i], desc))
                k += 1
            else:
                final_order.append((o, desc))
        n_out = len(outs)
        aggs = agg["list"] if agg else []

        def run(env):
            rows = make_rows(env)
            if where is not None:
                rows = [r for r in rows if truth(where((r, env)))]
            if agg is not None:
                groups = {}
                if keys:
                    for r in rows:
                        key = tuple(group_key(f((r, env))) for f in keys)
                        groups.setdefault(key, []).append(r)
                    glist = list(groups.values())
                else:
                    glist = [rows]
                produced = []
                for members in glist:
                    rep = members[0] if members else (None,) * len(cols)
                    vals = [aggregate(name, f, d, members, env) for name, f, d in aggs]
                    row = tuple(rep) + tuple(vals)
                    renv = (row, env)
                    if having is not None and not truth(having(renv)):
                        continue
                    produced.append(tuple(f(renv) for f in outs) + tuple(f(renv) for f in extras))
            else:
                produced = []
                for r in rows:
                    renv = (r, env)
                    produced.append(tuple(f(renv) for f in outs) + tuple(f(renv) for f in extras))
            if sel["distinct"]:
                produced = dedupe(produced, n_out)
            if final_order:
                produced = sort_rows(produced, final_order)
            return produced

        return {"run": run, "names": names}

    def group_term(self, g, sel, exprs, scope, ctes):
        if g[0] == "lit" and isinstance(g[1], int) and not isinstance(g[1], bool):
            if not 1 <= g[1] <= len(exprs):
                raise SqlError("GROUP BY term out of range")
            g = exprs[g[1] - 1]
            if g[0] == "col" and len(g) == 4:
                i = g[3]
                return lambda env: env[0][i]
        elif g[0] == "col" and g[1] is None and scope.find(None, g[2]) is None:
            for item in sel["items"]:
                if item[0] == "expr" and item[2] == g[2]:
                    g = item[1]
                    break
        return self.compile(g, scope, ctes)

    def mark_correlation(self, scope, tracker):
        # Conservative: any subquery with an enclosing scope may reference it; plan_query re-runs it per row
        # only when a column actually resolves outside (see compile's depth > 0 path).
        if scope.parent is not None:
            orig = scope.find

            def find(table, name, orig=orig, parent=scope.parent):
                i = orig(table, name)
                if i is None and (table, name) and parent_has(parent, table, name):
                    tracker["correlated"] = True
                return i

            scope.find = find

    def plan_join(self, on, cols, left_n, right_n, outer, ctes, tracker):
        """A join step: hash join on the ON clause's column equalities between the two sides, else a nested loop."""
        scope = Scope(cols, outer)
        self.mark_correlation(scope, tracker)
        cond = self.compile(on, scope, ctes) if on is not None else None
        lkeys, rkeys, residual = [], [], []
        for conj in conjuncts(on):
            if conj[0] == "cmp" and conj[1] == "=" and conj[2][0] == "col" and conj[3][0] == "col":
                a, b = scope.find(conj[2][1], conj[2][2]), scope.find(conj[3][1], conj[3][2])
                if a is not None and b is not None and a < left_n <= b:
                    lkeys.append(a)
                    rkeys.append(b - left_n)
                    continue
                if a is not None and b is not None and b < left_n <= a:
                    lkeys.append(b)
                    rkeys.append(a - left_n)
                    continue
            residual.append(conj)
        if lkeys and not residual:
            cond = None  # the ON clause is exactly the hashed equalities
        pad = (None,) * right_n

        def join(lrows, rrows, kind, env):
            out = []
            if lkeys:
                table = {}
                for r in rrows:
                    key = tuple([r[i] for i in rkeys])
                    if None not in key:
                        table.setdefault(key, []).append(r)
                for l in lrows:
                    key = tuple([l[i] for i in lkeys])
                    matched = False
                    if None not in key:
                        for r in table.get(key, ()):
                            row = l + r
                            if cond is None or truth(cond((row, env))):
                                out.append(row)
                                matched = True
                    if not matched and kind == "left":
                        out.append(l + pad)
                return out
            for l in lrows:
                matched = False
                for r in rrows:
                    row = l + r
                    if cond is None or truth(cond((row, env))):
                        out.append(row)
                        matched = True
                if not matched and kind == "left":
                    out.append(l + pad)
            return out

        return join


def parent_has(scope, table, name):
    while scope is not None:
        if any(c == name and (table is None or t == table) for t, c in scope.cols):
            return True
        scope = scope.parent
    return False


def norm(v):
    """Hash key of a value: Python already keeps text apart from numbers and makes 1 == 1.0, like SQLite."""
    return v


def group_key(v):
    return v


def conjuncts(e):
    if e is None:
        return []
    if e[0] == "and":
        return conjuncts(e[1]) + conjuncts(e[2])
    return [e]


def walk(e):
    """Every sub-expression of e, not descending into subqueries."""
    if not isinstance(e, tuple):
        return
    yield e
    for x in e[1:]:
        if isinstance(x, tuple):
            yield from walk(x)
        elif isinstance(x, list):
            for y in x:
                if isinstance(y, tuple) and y and isinstance(y[0], str):
                    yield from walk(y)
                elif isinstance(y, tuple):
                    for z in y:
                        yield from walk(z)


def in_values(a, values, neg):
    if not values:
        return int(neg)
    if a is None:
        return None
    saw_null = False
    for v in values:
        if v is None:
            saw_null = True
        elif compare(a, v) == 0:
            return int(not neg)
    return None if saw_null else int(neg)


def dedupe(rows, n=None):
    seen, out = set(), []
    for r in rows:
        key = tuple(group_key(v) for v in (r if n is None else r[:n]))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def sort_rows(rows, order):
    rows = list(rows)
    for f, desc in reversed(order):
        rows.sort(key=lambda r: sort_key(f(r)), reverse=desc)
    return rows


def aggregate(name, f, distinct, members, env):
    if f is None:
        return len(members)
    vals = [v for v in (f((r, env)) for r in members) if v is not None]
    if distinct:
        vals = [v for _, v in {group_key(v): v for v in vals}.items()]
    if name == "COUNT":
        return len(vals)
    if not vals:
        return None
    if name in ("SUM", "AVG"):
        if any(isinstance(v, str) for v in vals):
            raise SqlError("SUM of text")
        total = 0
        for v in vals:
            total += v
        return total if name == "SUM" else total / len(vals)
    best = vals[0]
    for v in vals[1:]:
        c = compare(v, best)
        if (c < 0) if name == "MIN" else (c > 0):
            best = v
    return best


def output_index(e, names, strict, items=None):
    if e[0] == "lit" and isinstance(e[1], int):
        if not 1 <= e[1] <= len(names):
            raise SqlError("ORDER BY term out of range")
        return e[1] - 1
    if e[0] == "col" and e[1] is None:
        if items is not None:
            for i, item in enumerate(items):
                if item[0] == "expr" and item[2] == e[2]:
                    return i
            return None
        if e[2] in names:
            return names.index(e[2])
    if strict:
        raise SqlError("ORDER BY term does not match any column in the result set")
    return None


def main():
    db = Database(sys.argv[1])
    engine = Engine(db)
    text = sys.stdin.read()
    out = sys.stdout
    for chunk in re.split(r"^@@[ \t]*$\n?", text, flags=re.M):
        if not chunk.strip():
            continue
        try:
            rows = engine.run(chunk)
            lines = ["|".join(fmt(v) for v in r) for r in rows]
        except Exception:  # noqa: BLE001 - any failure of one query is that query's ERROR
            lines = ["ERROR"]
        out.write("".join(line + "\n" for line in lines) + "@@\n")
    out.flush()


if __name__ == "__main__":
    main()
