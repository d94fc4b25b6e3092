"""Runnel reference: parser, static checks, tree-walking interpreter, naive/optimising compiler to the RVM
stack machine, and an RVM interpreter that counts cycles.

  runnel.py run FILE            run a program (inputs on stdin), exit 0 / 2 static error / 3 runtime error
  runnel.py compile [-O0] FILE  print RVM bytecode for a (base-language) program
  runnel.py vm FILE [INT...]    run RVM bytecode; prints output, then a JSON status line on stderr
"""
import re
import sys

M = 1 << 64
H = 1 << 63


def wrap(x):
    return ((x + H) % M) - H


class StaticError(Exception):
    pass


class RunError(Exception):
    pass


TOK = re.compile(r'\s+|//[^\n]*|(?P<num>\d+)|(?P<id>[A-Za-z_]\w*)|(?P<str>"(?:[^"\\\n]|\\.)*")|'
                 r'(?P<op>&&|\|\||==|!=|<=|>=|[-+*/%<>=!(){}\[\],;])')
KEYWORDS = {"let", "fn", "if", "else", "while", "return"}


def lex(src):
    out, i = [], 0
    while i < len(src):
        m = TOK.match(src, i)
        if not m:
            raise StaticError(f"bad character at {i}")
        i = m.end()
        if m.group("num"):
            v = int(m.group("num"))
            if v >= H:
                raise StaticError("integer literal out of range")
            out.append(("num", v))
        elif m.group("id"):
            w = m.group("id")
            out.append(("kw", w) if w in KEYWORDS else ("id", w))
        elif m.group("str"):
            s, j, body = [], 0, m.group("str")[1:-1]
            while j < len(body):
                c = body[j]
                if c == "\\":
                    j += 1
                    e = body[j]
                    if e not in 'n"\\':
                        raise StaticError("bad escape")
                    s.append("\n" if e == "n" else e)
                else:
                    s.append(c)
                j += 1
            out.append(("str", "".join(s)))
        elif m.group("op"):
            out.append(("op", m.group("op")))
    out.append(("eof", None))
    return out


PREC = [("||",), ("&&",), ("==", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "/", "%")]


class Parser:
    def __init__(self, toks):
        self.t, self.i = toks, 0

    def peek(self, k=0):
        return self.t[self.i + k]

    def next(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def at(self, kind, val=None):
        tok = self.t[self.i]
        return tok[0] == kind and (val is None or tok[1] == val)

    def expect(self, kind, val=None):
        if not self.at(kind, val):
            raise StaticError(f"expected {val or kind}, got {self.peek()[1]!r}")
        return self.next()[1]

    def program(self):
        body = []
        while not self.at("eof"):
            if self.at("kw", "fn") and self.peek(1)[0] == "id":
                self.next()
                name = self.expect("id")
                body.append(("fndecl", name) + self.fnrest())
            else:
                body.append(self.stmt())
        return body

    def fnrest(self):
        self.expect("op", "(")
        params = []
        while not self.at("op", ")"):
            params.append(self.expect("id"))
            if not self.at("op", ")"):
                self.expect("op", ",")
        self.next()
        if len(set(params)) != len(params) or any(p in BUILTINS for p in params):
            raise StaticError("duplicate parameter")
        return (params, self.block())

    def block(self):
        self.expect("op", "{")
        body = []
        while not self.at("op", "}"):
            body.append(self.stmt())
        self.next()
        return body

    def stmt(self):
        if self.at("kw", "let"):
            self.next()
            name = self.expect("id")
            self.expect("op", "=")
            e = self.expr()
            self.expect("op", ";")
            return ("let", name, e)
        if self.at("kw", "if"):
            self.next()
            self.expect("op", "(")
            c = self.expr()
            self.expect("op", ")")
            then = self.block()
            els = None
            if self.at("kw", "else"):
                self.next()
                els = [self.stmt()] if self.at("kw", "if") else self.block()
            return ("if", c, then, els)
        if self.at("kw", "while"):
            self.next()
            self.expect("op", "(")
            c = self.expr()
            self.expect("op", ")")
            return ("while", c, self.block())
        if self.at("kw", "return"):
            self.next()
            e = ("num", 0) if self.at("op", ";") else self.expr()
            self.expect("op", ";")
            return ("return", e)
        if self.at("op", "{"):
            return ("block", self.block())
        e = self.expr()
        if self.at("op", "="):
            self.next()
            v = self.expr()
            self.expect("op", ";")
            if e[0] == "var":
                return ("assign", e[1], v)
            if e[0] == "index":
                return ("setindex", e[1], e[2], v)
            raise StaticError("bad assignment target")
        self.expect("op", ";")
        return ("expr", e)

    def expr(self, level=0):
        if level == len(PREC):
            return self.unary()
        left = self.expr(level + 1)
        while self.peek()[0] == "op" and self.peek()[1] in PREC[level]:
            op = self.next()[1]
            left = ("bin", op, left, self.expr(level + 1))
        return left

    def unary(self):
        if self.at("op", "-") or self.at("op", "!"):
            op = self.next()[1]
            return ("un", op, self.unary())
        e = self.primary()
        while self.at("op", "(") or self.at("op", "["):
            if self.next()[1] == "(":
                args = []
                while not self.at("op", ")"):
                    args.append(self.expr())
                    if not self.at("op", ")"):
                        self.expect("op", ",")
                self.next()
                e = ("call", e, args)
            else:
                idx = self.expr()
                self.expect("op", "]")
                e = ("index", e, idx)
        return e

    def primary(self):
        kind, val = self.next()
        if kind == "num":
            return ("num", val)
        if kind == "str":
            return ("str", val)
        if kind == "id":
            return ("var", val)
        if (kind, val) == ("kw", "fn"):
            return ("lambda",) + self.fnrest()
        if (kind, val) == ("op", "("):
            e = self.expr()
            self.expect("op", ")")
            return e
        raise StaticError(f"unexpected {val!r}")


BUILTINS = {"print": 1, "read": 0, "array": 2, "len": 1, "str": 1, "chr": 1, "ord": 1}


def check(prog):
    """Static checks: every name declared before use in an enclosing scope, no duplicate let in a block,
    builtins only called (with the right arity), known top-level functions called with the right arity."""
    fns = {}
    for s in prog:
        if s[0] == "fndecl":
            if s[1] in fns or s[1] in BUILTINS:
                raise StaticError(f"duplicate function {s[1]}")
            fns[s[1]] = len(s[2])
    globs = {s[1] for s in prog if s[0] == "let"}
    if globs & set(fns):
        raise StaticError("a global variable has the name of a function")
    depth = [0]  # enclosing function bodies (named or anonymous)

    def ex(e, scopes):
        k = e[0]
        if k == "var":
            n = e[1]
            if n in BUILTINS:
                raise StaticError(f"builtin {n} used as a value")
            if not any(n in sc for sc in scopes) and n not in fns:
                raise StaticError(f"undeclared {n}")
        elif k == "bin":
            ex(e[2], scopes)
            ex(e[3], scopes)
        elif k == "un":
            ex(e[2], scopes)
        elif k == "index":
            ex(e[1], scopes)
            ex(e[2], scopes)
        elif k == "call":
            f = e[1]
            if f[0] == "var" and f[1] in BUILTINS and not any(f[1] in sc for sc in scopes):
                if len(e[2]) != BUILTINS[f[1]]:
                    raise StaticError(f"{f[1]} takes {BUILTINS[f[1]]} arguments")
            else:
                if f[0] == "var" and f[1] in fns and not any(f[1] in sc for sc in scopes):
                    if fns[f[1]] != len(e[2]):
                        raise StaticError(f"{f[1]} takes {fns[f[1]]} arguments")
                ex(f, scopes)
            for a in e[2]:
                ex(a, scopes)
        elif k == "lambda":
            depth[0] += 1
            body(e[2], scopes + [set(e[1])])
            depth[0] -= 1

    def body(stmts, scopes):
        scopes = scopes + [set()]
        for s in stmts:
            st(s, scopes)

    def st(s, scopes):
        k = s[0]
        if k == "let":
            ex(s[2], scopes)
            if s[1] in scopes[-1] or s[1] in BUILTINS:
                raise StaticError(f"duplicate let {s[1]}")
            scopes[-1].add(s[1])
        elif k == "assign":
            if not any(s[1] in sc for sc in scopes):
                raise StaticError(f"assignment to undeclared {s[1]}")
            ex(s[2], scopes)
        elif k == "setindex":
            ex(s[1], scopes)
            ex(s[2], scopes)
            ex(s[3], scopes)
        elif k == "expr":
            ex(s[1], scopes)
        elif k == "return":
            if depth[0] == 0:
                raise StaticError("return outside a function")
            ex(s[1], scopes)
        elif k == "if":
            ex(s[1], scopes)
            body(s[2], scopes)
            if s[3] is not None:
                body(s[3], scopes)
        elif k == "while":
            ex(s[1], scopes)
            body(s[2], scopes)
        elif k == "block":
            body(s[1], scopes)
        elif k == "fndecl":
            if len(scopes) > 1:
                raise StaticError("nested named function")
            depth[0] += 1
            body(s[3], [globs, set(s[2])])
            depth[0] -= 1

    top = [set()]
    for s in prog:
        st(s, top)


# ---------------------------------------------------------------- tree-walking interpreter

class Env:
    __slots__ = ("vars", "up")

    def __init__(self, up):
        self.vars, self.up = {}, up

    def find(self, n):
        e = self
        while e is not None:
            if n in e.vars:
                return e
            e = e.up
        raise RunError(f"{n} is not defined yet")


class Closure:
    __slots__ = ("params", "body", "env")

    def __init__(self, params, body, env):
        self.params, self.body, self.env = params, body, env


class Ret(Exception):
    def __init__(self, v):
        self.v = v


def show(v, depth=0):
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        if depth >= 100:
            raise RunError("array nested too deeply to print")
        return "[" + ", ".join(show(x, depth + 1) for x in v) + "]"
    return "<fn>"


def truth(v):
    if not isinstance(v, int):
        raise RunError("condition is not an integer")
    return v != 0


class Interp:
    def __init__(self, prog, inputs, out):
        self.inputs, self.out, self.depth = inputs, out, 0
        self.g = Env(None)
        for s in prog:
            if s[0] == "let":
                self.g.vars[s[1]] = 0
        for s in prog:
            if s[0] == "fndecl":
                self.g.vars[s[1]] = Closure(s[2], s[3], self.g)
        self.block(prog, self.g)

    def block(self, stmts, env):
        for s in stmts:
            k = s[0]
            if k == "let":
                v = self.ev(s[2], env)
                if env is not self.g:  # a new scope level per let: closures made earlier never see it
                    env = Env(env)
                env.vars[s[1]] = v
            elif k == "assign":
                v = self.ev(s[2], env)
                env.find(s[1]).vars[s[1]] = v
            elif k == "expr":
                self.ev(s[1], env)
            elif k == "if":
                if truth(self.ev(s[1], env)):
                    self.block(s[2], Env(env))
                elif s[3] is not None:
                    self.block(s[3], Env(env))
            elif k == "while":
                while truth(self.ev(s[1], env)):
                    self.block(s[2], Env(env))
            elif k == "return":
                raise Ret(self.ev(s[1], env))
            elif k == "setindex":
                a, i, v = self.ev(s[1], env), self.ev(s[2], env), self.ev(s[3], env)
                if not isinstance(a, list):
                    raise RunError("indexed assignment to a non-array")
                if not isinstance(i, int) or not 0 <= i < len(a):
                    raise RunError("index out of range")
                a[i] = v
            elif k == "block":
                self.block(s[1], Env(env))

    def ev(self, e, env):
        k = e[0]
        if k == "num" or k == "str":
            return e[1]
        if k == "var":
            return env.find(e[1]).vars[e[1]]
        if k == "bin":
            op = e[1]
            if op == "&&":
                return 1 if truth(self.ev(e[2], env)) and truth(self.ev(e[3], env)) else 0
            if op == "||":
                return 1 if truth(self.ev(e[2], env)) or truth(self.ev(e[3], env)) else 0
            return binop(op, self.ev(e[2], env), self.ev(e[3], env))
        if k == "un":
            v = self.ev(e[2], env)
            if not isinstance(v, int):
                raise RunError("unary operator on a non-integer")
            return wrap(-v) if e[1] == "-" else int(v == 0)
        if k == "index":
            a, i = self.ev(e[1], env), self.ev(e[2], env)
            if not isinstance(a, (list, str)):
                raise RunError("indexing a non-array")
            if not isinstance(i, int) or not 0 <= i < len(a):
                raise RunError("index out of range")
            return a[i]
        if k == "lambda":
            return Closure(e[1], e[2], env)
        if k == "call":
            f = e[1]
            if f[0] == "var" and f[1] in BUILTINS:
                try:
                    env.find(f[1])
                except RunError:
                    return self.builtin(f[1], [self.ev(a, env) for a in e[2]])
            fv = self.ev(f, env)
            args = [self.ev(a, env) for a in e[2]]
            if not isinstance(fv, Closure):
                raise RunError("calling a non-function")
            if len(args) != len(fv.params):
                raise RunError("wrong number of arguments")
            self.depth += 1
            if self.depth > 2000:
                raise RunError("call depth exceeded")
            fe = Env(fv.env)
            fe.vars.update(zip(fv.params, args))
            try:
                self.block(fv.body, Env(fe))
                r = 0
            except Ret as x:
                r = x.v
            self.depth -= 1
            return r
        raise AssertionError(k)

    def builtin(self, n, a):
        if n == "print":
            self.out.append(show(a[0]))
            return 0
        if n == "read":
            if not self.inputs:
                raise RunError("read past the end of input")
            return self.inputs.pop(0)
        if n == "array":
            if not isinstance(a[0], int) or a[0] < 0 or a[0] > 1000000:
                raise RunError("bad array length")
            return [a[1]] * a[0]
        if n == "len":
            if not isinstance(a[0], (list, str)):
                raise RunError("len of a non-array")
            return len(a[0])
        if n == "str":
            if not isinstance(a[0], int):
                raise RunError("str of a non-integer")
            return str(a[0])
        if n == "chr":
            if not isinstance(a[0], int) or not 32 <= a[0] <= 126 and a[0] != 10:
                raise RunError("bad chr")
            return chr(a[0])
        if n == "ord":
            if not isinstance(a[0], str) or len(a[0]) != 1:
                raise RunError("ord needs a one-character string")
            return ord(a[0])
        raise AssertionError(n)


def binop(op, a, b):
    if op in ("==", "!="):
        same = type(a) is type(b) and (a == b if isinstance(a, (int, str)) else a is b)
        return int(same == (op == "=="))
    if isinstance(a, str) and isinstance(b, str):
        if op == "+":
            return a + b
        if op in ("<", "<=", ">", ">="):
            return int({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])
        raise RunError(f"{op} on strings")
    if not isinstance(a, int) or not isinstance(b, int):
        raise RunError(f"{op} on a non-integer")
    if op == "+":
        return wrap(a + b)
    if op == "-":
        return wrap(a - b)
    if op == "*":
        return wrap(a * b)
    if op == "/" or op == "%":
        if b == 0:
            raise RunError("division by zero")
        q = abs(a) // abs(b)
        if (a < 0) != (b < 0):
            q = -q
        return wrap(q) if op == "/" else wrap(a - b * q)
    return int({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])


def run_source(src, inputs):
    """(stdout lines, exit code) for a program and its inputs."""
    out = []
    try:
        prog = Parser(lex(src)).program()
        check(prog)
    except StaticError:
        return [], 2
    try:
        Interp(prog, list(inputs), out)
    except RunError:
        return out, 3
    except Ret:
        return out, 0
    except RecursionError:
        return out, 3
    return out, 0


# ---------------------------------------------------------------- compiler to RVM (base language)

FOLD = {"+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!="}
NEGJ = {"JLT": "JGE", "JGE": "JLT", "JLE": "JGT", "JGT": "JLE", "JEQ": "JNE", "JNE": "JEQ"}
CMPJ = {"<": "JLT", "<=": "JLE", ">": "JGT", ">=": "JGE", "==": "JEQ", "!=": "JNE"}
BINOP = {"+": "ADD", "-": "SUB", "*": "MUL", "/": "DIV", "%": "MOD", "<": "LT", "<=": "LE", ">": "GT",
         ">=": "GE", "==": "EQ", "!=": "NE"}


class Compiler:
    def __init__(self, prog, opt):
        self.opt, self.code, self.nl = opt, [], 0
        self.fns = {s[1]: s for s in prog if s[0] == "fndecl"}
        self.globs = {}
        for s in prog:
            if s[0] == "let" and s[1] not in self.globs:
                self.globs[s[1]] = len(self.globs)
        self.labels, self.fixups = {}, []
        self.scopes = []
        top = [s for s in prog if s[0] != "fndecl"]
        self.glob_mode = True
        self.block(top, new_scope=False)
        self.emit("HALT")
        self.glob_mode = False
        for name, s in self.fns.items():
            self.label("f_" + name)
            self.scopes, self.nl = [{p: i for i, p in enumerate(s[2])}], len(s[2])
            self.block(s[3])
            self.emit("PUSH", 0)
            self.emit("RET")

    def emit(self, op, *a):
        self.code.append([op, *a])

    def label(self, name):
        self.labels[name] = len(self.code)

    def newlabel(self):
        self.nlab = getattr(self, "nlab", 0) + 1
        return f"L{self.nlab}"

    def jump(self, op, lab):
        self.emit(op, lab)

    def lookup(self, n):
        for sc in reversed(self.scopes):
            if n in sc:
                return ("LOAD", "STORE", sc[n])
        return ("GLOAD", "GSTORE", self.globs[n])

    def block(self, stmts, new_scope=True):
        if new_scope:
            self.scopes.append({})
        for s in stmts:
            self.stmt(s)
            if self.opt and s[0] == "return":
                break
        if new_scope:
            self.scopes.pop()

    def stmt(self, s):
        k = s[0]
        if k == "let":
            self.expr(s[2])
            if self.glob_mode and len(self.scopes) == 0:
                self.emit("GSTORE", self.globs[s[1]])
            else:
                self.scopes[-1][s[1]] = self.nl
                self.emit("STORE", self.nl)
                self.nl += 1
        elif k == "assign":
            ld, stn, i = self.lookup(s[1])
            e = s[2]
            if (self.opt and ld == "LOAD" and e[0] == "bin" and e[1] in "+-" and e[2] == ("var", s[1])
                    and self.const(e[3]) is not None):
                c = self.const(e[3])
                self.emit("INCL", i, wrap(c if e[1] == "+" else -c))
                return
            self.expr(e)
            self.emit(stn, i)
        elif k == "expr":
            self.expr(s[1])
            self.emit("POP")
        elif k == "return":
            self.expr(s[1])
            self.emit("RET")
        elif k == "setindex":
            self.expr(s[1])
            self.expr(s[2])
            self.expr(s[3])
            self.emit("ASTORE")
        elif k == "block":
            self.block(s[1])
        elif k == "if":
            els, end = self.newlabel(), self.newlabel()
            c = self.const(s[1]) if self.opt else None
            if c is not None:
                if c:
                    self.block(s[2])
                elif s[3] is not None:
                    self.block(s[3])
                return
            self.cond(s[1], els, False)
            self.block(s[2])
            if s[3] is not None:
                self.jump("JMP", end)
            self.label(els)
            if s[3] is not None:
                self.block(s[3])
            self.label(end)
        elif k == "while":
            top, end = self.newlabel(), self.newlabel()
            if self.opt:  # rotated loop: test at the bottom
                body = self.newlabel()
                self.jump("JMP", top)
                self.label(body)
                self.block(s[2])
                self.label(top)
                self.cond(s[1], body, True)
            else:
                self.label(top)
                self.cond(s[1], end, False)
                self.block(s[2])
                self.jump("JMP", top)
                self.label(end)

    def cond(self, e, lab, when):
        """Jump to lab when truth(e) == when, else fall through."""
        if self.opt:
            if e[0] == "un" and e[1] == "!":
                return self.cond(e[2], lab, not when)
            if e[0] == "bin" and e[1] in CMPJ:
                self.expr(e[2])
                self.expr(e[3])
                op = CMPJ[e[1]]
                self.jump(op if when else NEGJ[op], lab)
                return
            if e[0] == "bin" and e[1] in ("&&", "||"):
                if (e[1] == "&&") == when:
                    skip = self.newlabel()
                    self.cond(e[2], skip, not when)
                    self.cond(e[3], lab, when)
                    self.label(skip)
                else:
                    self.cond(e[2], lab, when)
                    self.cond(e[3], lab, when)
                return
        self.expr(e)
        self.jump("JNZ" if when else "JZ", lab)

    def const(self, e):
        if e[0] == "num":
            return e[1]
        if e[0] == "un" and e[1] == "-":
            c = self.const(e[2])
            return None if c is None else wrap(-c)
        if e[0] == "bin" and e[1] in FOLD:
            a, b = self.const(e[2]), self.const(e[3])
            if a is None or b is None or (e[1] in "/%" and b == 0):
                return None
            return binop(e[1], a, b)
        return None

    def expr(self, e):
        if self.opt:
            c = self.const(e)
            if c is not None:
                self.emit("PUSH", c)
                return
        k = e[0]
        if k == "num":
            self.emit("PUSH", e[1])
        elif k == "var":
            ld, _, i = self.lookup(e[1])
            self.emit(ld, i)
        elif k == "un":
            self.expr(e[2])
            self.emit("NEG" if e[1] == "-" else "NOT")
        elif k == "bin" and e[1] in ("&&", "||"):
            f, end = self.newlabel(), self.newlabel()
            j = "JNZ" if e[1] == "||" else "JZ"
            if self.opt:
                self.cond(e, f, e[1] == "||")
            else:
                self.expr(e[2])
                self.jump(j, f)
                self.expr(e[3])
                self.jump(j, f)
            self.emit("PUSH", int(e[1] == "&&"))
            self.jump("JMP", end)
            self.label(f)
            self.emit("PUSH", int(e[1] == "||"))
            self.label(end)
        elif k == "bin":
            self.expr(e[2])
            self.expr(e[3])
            self.emit(BINOP[e[1]])
        elif k == "index":
            self.expr(e[1])
            self.expr(e[2])
            self.emit("ALOAD")
        elif k == "call":
            n, args = e[1][1], e[2]
            for a in args:
                self.expr(a)
            if n in ("print", "read", "array", "len"):
                self.emit({"print": "PRINT", "read": "READ", "array": "NEWARR", "len": "LEN"}[n])
                if n == "print":
                    self.emit("PUSH", 0)
            else:
                self.emit("CALL", "f_" + n, len(args))

    def output(self):
        code = self.code
        if self.opt:
            code = peephole(code, self.labels)
        else:
            code = [[c[0]] + [self.labels.get(x, x) if isinstance(x, str) else x for x in c[1:]] for c in code]
        return "\n".join(" ".join(str(x) for x in c) for c in code) + "\n"


JUMPS = {"JMP", "JZ", "JNZ", "JLT", "JLE", "JGT", "JGE", "JEQ", "JNE", "CALL"}


def peephole(code, labels):
    """Resolve labels after local rewrites: PRINT;PUSH 0;POP -> PRINT, STORE x;LOAD x -> DUP;STORE x,
    jumps to jumps threaded."""
    targets = set(labels.values())
    out, pos = [], {}
    remap = {}
    i = 0
    while i < len(code):
        remap[i] = len(out)
        c = code[i]
        if (c[0] == "PUSH" and i + 1 < len(code) and code[i + 1][0] == "POP" and i + 1 not in targets):
            remap[i + 1] = len(out)
            i += 2
            continue
        if (c[0] == "STORE" and i + 1 < len(code) and code[i + 1] == ["LOAD", c[1]] and i + 1 not in targets):
            out.append(["DUP"])
            out.append(c)
            remap[i + 1] = len(out) - 1
            i += 2
            continue
        out.append(c)
        i += 1
    remap[len(code)] = len(out)
    res = {name: remap[p] for name, p in labels.items()}

    def final(lab):
        seen = 0
        t = res[lab]
        while t < len(out) and out[t][0] == "JMP" and seen < 10:
            t = res[out[t][1]]
            seen += 1
        return t

    fin = []
    for c in out:
        if c[0] in JUMPS:
            fin.append([c[0], final(c[1])] + c[2:])
        else:
            fin.append(c)
    del pos
    return fin


# ---------------------------------------------------------------- RVM

OPS = {"PUSH": 1, "POP": 0, "DUP": 0, "SWAP": 0, "LOAD": 1, "STORE": 1, "GLOAD": 1, "GSTORE": 1, "INCL": 2,
       "ADD": 0, "SUB": 0, "MUL": 0, "DIV": 0, "MOD": 0, "NEG": 0, "NOT": 0, "EQ": 0, "NE": 0, "LT": 0,
       "LE": 0, "GT": 0, "GE": 0, "JMP": 1, "JZ": 1, "JNZ": 1, "JEQ": 1, "JNE": 1, "JLT": 1, "JLE": 1,
       "JGT": 1, "JGE": 1, "CALL": 2, "RET": 0, "PRINT": 0, "READ": 0, "NEWARR": 0, "ALOAD": 0,
       "ASTORE": 0, "LEN": 0, "HALT": 0}


def vm(text, inputs, limit=10_000_000):
    """Run RVM text: (output lines, status, cycles); status ok | error | invalid | limit."""
    code = []
    for line in text.splitlines():
        p = line.split()
        if not p:
            continue
        if p[0] not in OPS or len(p) != 1 + OPS[p[0]]:
            return [], "invalid", 0
        try:
            args = [int(x) for x in p[1:]]
        except ValueError:
            return [], "invalid", 0
        if any(not -H <= x < H for x in args):
            return [], "invalid", 0
        code.append((p[0], *args))
    for c in code:
        if c[0] in JUMPS and not 0 <= c[1] <= len(code):
            return [], "invalid", 0
        if c[0] in SLOTS and not 0 <= c[1] <= 65535 or c[0] == "CALL" and not 0 <= c[2] <= 255:
            return [], "invalid", 0
    out, st, frames, g, inp = [], [], [], {}, list(inputs)
    loc, pc, cyc, elements, out_bytes = {}, 0, 0, 0, 0
    try:
        while pc < len(code):
            cyc += 1
            if cyc > limit:
                return out, "limit", cyc
            c = code[pc]
            op = c[0]
            pc += 1
            if op == "PUSH":
                st.append(c[1])
            elif op == "LOAD":
                st.append(loc.get(c[1], 0))
            elif op == "STORE":
                loc[c[1]] = st.pop()
            elif op == "GLOAD":
                st.append(g.get(c[1], 0))
            elif op == "GSTORE":
                g[c[1]] = st.pop()
            elif op == "INCL":
                v = loc.get(c[1], 0)
                if not isinstance(v, int):
                    raise RunError("type")
                loc[c[1]] = wrap(v + c[2])
            elif op in ("JZ", "JNZ"):
                v = st.pop()
                if not isinstance(v, int):
                    raise RunError("type")
                if (v == 0) == (op == "JZ"):
                    pc = c[1]
            elif op == "JMP":
                pc = c[1]
            elif op in CMPOPS:
                b, a = st.pop(), st.pop()
                r = binop(CMPOPS[op], a, b)
                if op[0] == "J":
                    if r:
                        pc = c[1]
                else:
                    st.append(r)
            elif op in ARITH:
                b, a = st.pop(), st.pop()
                st.append(binop(ARITH[op], a, b))
            elif op == "POP":
                st.pop()
            elif op == "DUP":
                st.append(st[-1])
            elif op == "SWAP":
                st[-1], st[-2] = st[-2], st[-1]
            elif op == "NEG" or op == "NOT":
                v = st.pop()
                if not isinstance(v, int):
                    raise RunError("type")
                st.append(wrap(-v) if op == "NEG" else int(v == 0))
            elif op == "CALL":
                n = c[2]
                if len(frames) >= 10000 or n > len(st):
                    raise RunError("call")
                args = st[len(st) - n:] if n else []
                del st[len(st) - n:]
                frames.append((pc, loc))
                loc = dict(enumerate(args))
                pc = c[1]
            elif op == "RET":
                if not frames:
                    raise RunError("ret")
                pc, loc = frames.pop()
            elif op == "PRINT":
                out.append(show(st.pop()))
                out_bytes += len(out[-1]) + 1
                if out_bytes > 1 << 20:
                    out.pop()
                    return out, "limit", cyc
            elif op == "READ":
                if not inp:
                    raise RunError("eof")
                st.append(inp.pop(0))
            elif op == "NEWARR":
                v, n = st.pop(), st.pop()
                if not isinstance(n, int) or n < 0 or n > 1000000:
                    raise RunError("len")
                elements += n
                if elements > 4000000:
                    raise RunError("memory")
                st.append([v] * n)
            elif op == "ALOAD" or op == "ASTORE":
                v = st.pop() if op == "ASTORE" else None
                i, a = st.pop(), st.pop()
                if not isinstance(a, list) or not isinstance(i, int) or not 0 <= i < len(a):
                    raise RunError("index")
                if v is None:
                    st.append(a[i])
                else:
                    a[i] = v
            elif op == "LEN":
                a = st.pop()
                if not isinstance(a, list):
                    raise RunError("len")
                st.append(len(a))
            elif op == "HALT":
                break
            if len(st) > 100000:
                raise RunError("stack")
    except (RunError, IndexError):
        return out, "error", cyc
    if pc < 0 or pc > len(code):
        return out, "error", cyc
    return out, "ok", cyc


CMPOPS = {"EQ": "==", "NE": "!=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "JEQ": "==", "JNE": "!=",
          "JLT": "<", "JLE": "<=", "JGT": ">", "JGE": ">="}
SLOTS = {"LOAD", "STORE", "GLOAD", "GSTORE", "INCL"}
ARITH = {"ADD": "+", "SUB": "-", "MUL": "*", "DIV": "/", "MOD": "%"}


def compile_source(src, opt=True):
    prog = Parser(lex(src)).program()
    check(prog)
    return Compiler(prog, opt).output()


def main(argv):
    sys.setrecursionlimit(20000)
    if len(argv) >= 2 and argv[0] == "run":
        src = open(argv[1], encoding="utf-8").read()
        inputs = [int(x) for x in sys.stdin.read().split()]
        out, code = run_source(src, inputs)
        sys.stdout.write("".join(x + "\n" for x in out))
        if code:
            sys.stderr.write("runtime error\n" if code == 3 else "static error\n")
        return code
    if len(argv) >= 2 and argv[0] == "compile":
        opt = argv[1] != "-O0"
        src = open(argv[-1], encoding="utf-8").read()
        try:
            sys.stdout.write(compile_source(src, opt))
        except StaticError as e:
            sys.stderr.write(f"static error: {e}\n")
            return 2
        return 0
    if len(argv) >= 2 and argv[0] == "vm":
        out, status, cyc = vm(open(argv[1]).read(), [int(x) for x in argv[2:]])
        sys.stdout.write("".join(x + "\n" for x in out))
        sys.stderr.write(f'{{"status": "{status}", "cycles": {cyc}}}\n')
        return 0
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
