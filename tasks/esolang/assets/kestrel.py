#!/usr/bin/env python3
"""Kestrel: a small stack language (see SPEC.md). Usage: python3 kestrel.py PROGRAM.ks < input"""

import sys

MAX_STEPS = 10_000_000
MAX_MAGNITUDE = 10 ** 100
SIMPLE = set("0123456789+-*/%dxsorlq!gti?pe[]{}h")


class KestrelError(Exception):
    """A parse or runtime error, with the 1-based source position."""


def parse(source):
    """Turn source text into a list of (op, arg, line) and the matching-bracket table."""
    ops = []
    i, line = 0, 1
    while i < len(source):
        c = source[i]
        if c == "\n":
            line += 1
            i += 1
        elif c in " \t\r":
            i += 1
        elif c == "#":
            while i < len(source) and source[i] != "\n":
                i += 1
        elif c == '"':
            end = source.find('"', i + 1)
            if end < 0:
                raise KestrelError(f"line {line}: unterminated string")
            ops.append(("str", source[i + 1:end], line))
            line += source.count("\n", i, end)
            i = end + 1
        elif c == "=":
            if i + 1 >= len(source) or not ("A" <= source[i + 1] <= "Z"):
                raise KestrelError(f"line {line}: '=' must be followed by a register A-Z")
            ops.append(("store", source[i + 1], line))
            i += 2
        elif "A" <= c <= "Z":
            ops.append(("load", c, line))
            i += 1
        elif c in SIMPLE:
            ops.append((c, None, line))
            i += 1
        else:
            raise KestrelError(f"line {line}: unknown command {c!r}")
    match = {}
    stack = []
    for pc, (op, _, line) in enumerate(ops):
        if op in "[{":
            stack.append((op, pc))
        elif op in "]}":
            if not stack or stack[-1][0] != {"]": "[", "}": "{"}[op]:
                raise KestrelError(f"line {line}: unmatched {op!r}")
            _, start = stack.pop()
            match[start], match[pc] = pc, start
    if stack:
        raise KestrelError(f"line {ops[stack[-1][1]][2]}: unmatched {stack[-1][0]!r}")
    return ops, match


def run(source, text_input, max_steps=MAX_STEPS):
    """Run a program; returns the output text. Raises KestrelError on any error."""
    ops, match = parse(source)
    tokens = text_input.split()
    next_token = 0
    stack, registers, memory, out = [], {}, {}, []
    pc, steps = 0, 0

    def pop(line):
        if not stack:
            raise KestrelError(f"line {line}: stack underflow")
        return stack.pop()

    def push(value, line):
        if abs(value) > MAX_MAGNITUDE:
            raise KestrelError(f"line {line}: integer overflow (|value| > 10**100)")
        stack.append(value)

    while pc < len(ops):
        steps += 1
        if steps > max_steps:
            raise KestrelError(f"step limit of {max_steps} exceeded")
        op, arg, line = ops[pc]
        pc += 1
        if op.isdigit():
            push(int(op), line)
        elif op == "str":
            for ch in arg:
                push(ord(ch), line)
        elif op in "+-*/%":
            b, a = pop(line), pop(line)
            if op in "/%" and b == 0:
                raise KestrelError(f"line {line}: division by zero")
            push({"+": a + b, "-": a - b, "*": a * b, "/": a // b if b else 0, "%": a % b if b else 0}[op], line)
        elif op == "d":
            a = pop(line)
            push(a, line)
            push(a, line)
        elif op == "x":
            pop(line)
        elif op == "s":
            b, a = pop(line), pop(line)
            push(b, line)
            push(a, line)
        elif op == "o":
            b, a = pop(line), pop(line)
            push(a, line)
            push(b, line)
            push(a, line)
        elif op == "r":
            c, b, a = pop(line), pop(line), pop(line)
            push(b, line)
            push(c, line)
            push(a, line)
        elif op == "l":
            b, a = pop(line), pop(line)
            push(1 if a < b else 0, line)
        elif op == "q":
            b, a = pop(line), pop(line)
            push(1 if a == b else 0, line)
        elif op == "!":
            push(1 if pop(line) == 0 else 0, line)
        elif op == "store":
            registers[arg] = pop(line)
        elif op == "load":
            push(registers.get(arg, 0), line)
        elif op == "g":
            push(memory.get(pop(line), 0), line)
        elif op == "t":
            address = pop(line)
            memory[address] = pop(line)
        elif op == "i":
            if next_token >= len(tokens):
                raise KestrelError(f"line {line}: 'i' with no input left")
            try:
                push(int(tokens[next_token]), line)
            except ValueError:
                raise KestrelError(f"line {line}: input {tokens[next_token]!r} is not an integer") from None
            next_token += 1
        elif op == "?":
            push(1 if next_token < len(tokens) else 0, line)
        elif op == "p":
            out.append(str(pop(line)))
        elif op == "e":
            code = pop(line)
            if not 0 <= code < 0x110000:
                raise KestrelError(f"line {line}: {code} is not a character code")
            out.append(chr(code))
        elif op == "[":
            if pop(line) == 0:
                pc = match[pc - 1] + 1
        elif op == "]":
            pc = match[pc - 1]
        elif op == "{":
            if pop(line) == 0:
                pc = match[pc - 1] + 1
        elif op == "}":
            pass
        elif op == "h":
            break
    return "".join(out)


def main(argv):
    if len(argv) != 1:
        print("usage: python3 kestrel.py PROGRAM.ks < input", file=sys.stderr)
        return 64
    with open(argv[0], encoding="utf-8") as handle:
        source = handle.read()
    try:
        sys.stdout.write(run(source, sys.stdin.read()))
    except KestrelError as error:
        print(f"kestrel: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
