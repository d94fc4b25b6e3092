"""Hidden KVLine checker. Run as root: python3 client.py LEVEL
Starts the agent's server (/home/agent/kv/start.sh PORT DATA_DIR) as the agent user, runs the checks of
LEVEL (basic, transactions, full) and prints one JSON object {check: true/false} as its last line.

Every kill also kills every process of the agent user, so state cannot survive a "SIGKILL and restart" in a
process that left the server's process group (durability must come from DATA_DIR), and a process the agent
left running cannot answer in place of the server it starts. Run by the scorer with python3 -I -B."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

LEVEL = sys.argv[1]


def free_port():
    # A fresh ephemeral port, so a server the agent left running cannot answer in place of the new one.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


PORT = free_port()
KV = "/home/agent/kv"
DATA = tempfile.mkdtemp(prefix="kvdata-", dir="/tmp")
os.chown(DATA, 1000, 1000)
proc = None


def start():
    global proc
    if not os.path.exists(f"{KV}/start.sh"):
        raise RuntimeError("no start.sh")
    proc = subprocess.Popen(["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--",
                             f"{KV}/start.sh", str(PORT), DATA], cwd=KV, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/agent"})
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", PORT), 0.2).close()
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("server exited")
            time.sleep(0.1)
    raise RuntimeError("server did not listen")


def agent_pids():
    """Pids of processes whose real or effective uid is the agent's (1000)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/status") as handle:
                for line in handle:
                    if line.startswith("Uid:"):
                        real, effective = line.split()[1:3]
                        if "1000" in (real, effective):
                            pids.append(int(entry))
                        break
        except OSError:
            continue
    return pids


def kill_agent_processes():
    """SIGKILL every agent process, repeatedly, until none is left (a fork during the sweep is caught)."""
    for _ in range(100):
        pids = agent_pids()
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.02)


def kill():
    global proc
    if proc is not None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        proc = None
    kill_agent_processes()
    # wait for the port to be free
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", PORT), 0.1).close()
            time.sleep(0.1)
        except OSError:
            return


class Conn:
    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", PORT), 3)
        self.s.settimeout(5)
        self.buf = b""

    def send(self, *lines):
        self.s.sendall(b"".join(l.encode() + b"\n" for l in lines))

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(1 << 16)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
        l, self.buf = self.buf.split(b"\n", 1)
        return l.decode()

    def cmd(self, line):
        self.send(line)
        return self.line()

    def close(self):
        self.s.close()


def is_err(r):
    return r.startswith("ERR")


CHECKS = {}


def check(level):
    def deco(f):
        CHECKS[f.__name__] = (level, f)
        return f
    return deco


@check("basic")
def ping():
    return Conn().cmd("PING") == "PONG"


@check("basic")
def set_get():
    c = Conn()
    return c.cmd("SET alpha 1") == "OK" and c.cmd("GET alpha") == "VALUE 1"


@check("basic")
def value_with_spaces():
    c = Conn()
    return c.cmd("SET greet hello  wide world ") == "OK" and c.cmd("GET greet") == "VALUE hello  wide world "


@check("basic")
def empty_value_and_missing():
    c = Conn()
    return c.cmd("SET blank ") == "OK" and c.cmd("GET blank") == "VALUE " and c.cmd("GET nope") == "NIL"


@check("basic")
def overwrite_and_del():
    c = Conn()
    r = [c.cmd("SET d 1"), c.cmd("SET d 2"), c.cmd("GET d"), c.cmd("DEL d"), c.cmd("DEL d"), c.cmd("GET d")]
    return r == ["OK", "OK", "VALUE 2", "INT 1", "INT 0", "NIL"]


@check("basic")
def incr():
    c = Conn()
    r = [c.cmd("INCR ctr"), c.cmd("INCR ctr 10"), c.cmd("INCR ctr -25"), c.cmd("GET ctr")]
    return r == ["INT 1", "INT 11", "INT -14", "VALUE -14"]


@check("basic")
def incr_errors():
    c = Conn()
    c.cmd("SET word abc")
    return is_err(c.cmd("INCR word")) and c.cmd("GET word") == "VALUE abc" and is_err(c.cmd("INCR n x"))


@check("basic")
def case_insensitive_commands():
    c = Conn()
    return c.cmd("set Case v") == "OK" and c.cmd("gEt Case") == "VALUE v" and c.cmd("GET case") == "NIL"


@check("basic")
def errors_keep_connection():
    c = Conn()
    return is_err(c.cmd("FROB x")) and is_err(c.cmd("GET")) and is_err(c.cmd("SET onlykey")) and \
        c.cmd("PING") == "PONG"


@check("basic")
def keys_prefix_sorted():
    c = Conn()
    for k in ("user:b", "user:a", "user:c", "usr", "u"):
        c.cmd(f"SET {k} 1")
    return c.cmd("KEYS user:") == "KEYS 3 user:a user:b user:c" and c.cmd("KEYS zzz") == "KEYS 0"


@check("basic")
def concurrent_clients():
    idle = Conn()
    idle.send("SET idle 1")
    c = Conn()
    ok = c.cmd("PING") == "PONG" and c.cmd("GET idle") in ("VALUE 1", "NIL")
    return ok and idle.line() == "OK"


@check("basic")
def quit_closes():
    c = Conn()
    if c.cmd("QUIT") != "BYE":
        return False
    try:
        c.s.settimeout(2)
        return c.s.recv(10) == b""
    except OSError:
        return False


@check("basic")
def unicode_and_crlf():
    c = Conn()
    c.s.sendall("SET ключ żółw 🐢\r\nGET ключ\r\n".encode())
    return c.line() == "OK" and c.line() == "VALUE żółw 🐢"


@check("basic")
def pipelined_burst():
    c = Conn()
    c.send(*[f"INCR burst" for _ in range(300)], "GET burst")
    got = [c.line() for _ in range(301)]
    return got[:300] == [f"INT {i}" for i in range(1, 301)] and got[300] == "VALUE 300"


# --- level 2
@check("transactions")
def tx_commit_applies():
    c = Conn()
    r = [c.cmd("BEGIN"), c.cmd("SET t1 a"), c.cmd("INCR t2 5"), c.cmd("COMMIT"), c.cmd("GET t1"), c.cmd("GET t2")]
    return r == ["OK", "OK", "INT 5", "OK", "VALUE a", "VALUE 5"]


@check("transactions")
def tx_isolation():
    a, b = Conn(), Conn()
    a.cmd("SET iso old")
    a.cmd("BEGIN")
    a.cmd("SET iso new")
    seen = b.cmd("GET iso")
    a.cmd("COMMIT")
    return seen == "VALUE old" and b.cmd("GET iso") == "VALUE new"


@check("transactions")
def tx_read_own_writes():
    c = Conn()
    c.cmd("SET own 1")
    r = [c.cmd("BEGIN"), c.cmd("SET own 2"), c.cmd("GET own"), c.cmd("DEL own"), c.cmd("GET own"),
         c.cmd("SET own2 x"), c.cmd("KEYS own")]
    c.cmd("ROLLBACK")
    return r == ["OK", "OK", "VALUE 2", "INT 1", "NIL", "OK", "KEYS 1 own2"]


@check("transactions")
def tx_rollback():
    c = Conn()
    c.cmd("SET rb keep")
    r = [c.cmd("BEGIN"), c.cmd("SET rb lose"), c.cmd("SET rb2 lose"), c.cmd("ROLLBACK"), c.cmd("GET rb"),
         c.cmd("GET rb2")]
    return r == ["OK", "OK", "OK", "OK", "VALUE keep", "NIL"]


@check("transactions")
def tx_read_conflict():
    a, b = Conn(), Conn()
    a.cmd("SET bal 100")
    a.cmd("BEGIN")
    a.cmd("GET bal")
    b.cmd("SET bal 50")
    a.cmd("SET other 1")
    return a.cmd("COMMIT") == "CONFLICT" and b.cmd("GET other") == "NIL" and b.cmd("GET bal") == "VALUE 50"


@check("transactions")
def tx_write_conflict_same_value():
    a, b = Conn(), Conn()
    a.cmd("SET wc 1")
    a.cmd("BEGIN")
    a.cmd("SET wc 2")
    b.cmd("SET wc 1")
    return a.cmd("COMMIT") == "CONFLICT" and b.cmd("GET wc") == "VALUE 1"


@check("transactions")
def tx_conflict_between_transactions():
    a, b = Conn(), Conn()
    a.cmd("BEGIN")
    b.cmd("BEGIN")
    a.cmd("INCR seq")
    b.cmd("INCR seq")
    first, second = a.cmd("COMMIT"), b.cmd("COMMIT")
    return first == "OK" and second == "CONFLICT" and a.cmd("GET seq") == "VALUE 1"


@check("transactions")
def tx_no_conflict_disjoint():
    a, b = Conn(), Conn()
    a.cmd("BEGIN")
    a.cmd("GET dj1")
    a.cmd("SET dj1 x")
    b.cmd("SET dj2 y")
    return a.cmd("COMMIT") == "OK" and b.cmd("GET dj1") == "VALUE x"


@check("transactions")
def tx_state_errors():
    c = Conn()
    r1 = c.cmd("COMMIT")
    r2 = c.cmd("ROLLBACK")
    c.cmd("BEGIN")
    r3 = c.cmd("BEGIN")
    r4 = c.cmd("ROLLBACK")
    return is_err(r1) and is_err(r2) and is_err(r3) and r4 == "OK"


@check("transactions")
def tx_disconnect_discards():
    a = Conn()
    a.cmd("BEGIN")
    a.cmd("SET ghost 1")
    a.close()
    time.sleep(0.3)
    b = Conn()
    b.cmd("BEGIN")
    ok = b.cmd("GET ghost") == "NIL"
    b.cmd("ROLLBACK")
    return ok and b.cmd("GET ghost") == "NIL"


@check("transactions")
def tx_atomic_visibility():
    # A reader that reads both accounts inside a transaction which then commits must never see a
    # transfer half applied (a commit between its two reads must make its own commit conflict).
    a = Conn()
    a.cmd("SET acct:x 100")
    a.cmd("SET acct:y 0")
    r = Conn()
    bad = False
    for i in range(60):
        a.send("BEGIN", "INCR acct:x -1", "INCR acct:y 1", "COMMIT")
        r.send("BEGIN", "GET acct:x", "GET acct:y", "COMMIT")
        _, x, y, res = r.line(), r.line(), r.line(), r.line()
        for _ in range(4):
            a.line()
        if res == "OK" and (not x.startswith("VALUE ") or not y.startswith("VALUE ") or
                            int(x[6:]) + int(y[6:]) != 100):
            bad = True
    return not bad and r.cmd("GET acct:y") == "VALUE 60"


# --- level 3
def restart():
    kill()
    start()


@check("full")
def durable_after_kill():
    c = Conn()
    c.cmd("SET dur:a 1")
    c.cmd("INCR dur:n 7")
    c.cmd("SET dur:b x")
    c.cmd("DEL dur:b")
    restart()
    c = Conn()
    return [c.cmd("GET dur:a"), c.cmd("GET dur:n"), c.cmd("GET dur:b")] == ["VALUE 1", "VALUE 7", "NIL"]


@check("full")
def durable_transactions():
    c = Conn()
    c.send("BEGIN", "SET dtx:1 a", "SET dtx:2 b", "COMMIT", "BEGIN", "SET dtx:3 c", "ROLLBACK")
    [c.line() for _ in range(7)]
    c.send("BEGIN", "SET dtx:4 d")
    c.line(), c.line()
    restart()
    c = Conn()
    return [c.cmd(f"GET dtx:{i}") for i in range(1, 5)] == ["VALUE a", "VALUE b", "NIL", "NIL"]


@check("full")
def durable_burst_then_kill():
    c = Conn()
    c.send(*[f"SET burst:{i} {i}" for i in range(500)])
    acks = [c.line() for _ in range(500)]
    kill()
    start()
    c = Conn()
    return acks == ["OK"] * 500 and c.cmd("KEYS burst:499") == "KEYS 1 burst:499" and c.cmd("SIZE") != "INT 0" \
        and all(c.cmd(f"GET burst:{i}") == f"VALUE {i}" for i in range(0, 500, 37))


@check("full")
def expire_and_ttl():
    c = Conn()
    c.cmd("SET e1 v")
    r = [c.cmd("TTL e1"), c.cmd("EXPIRE e1 1"), c.cmd("TTL e1"), c.cmd("TTL nope"), c.cmd("EXPIRE nope 5")]
    time.sleep(1.3)
    r += [c.cmd("GET e1"), c.cmd("TTL e1"), c.cmd("KEYS e1")]
    return r == ["INT -1", "INT 1", "INT 1", "INT -2", "INT 0", "NIL", "INT -2", "KEYS 0"]


@check("full")
def expire_errors_and_persist():
    c = Conn()
    c.cmd("SET p1 v")
    r = [is_err(c.cmd("EXPIRE p1 0")), is_err(c.cmd("EXPIRE p1 abc")), c.cmd("EXPIRE p1 100"),
         c.cmd("PERSIST p1"), c.cmd("TTL p1"), c.cmd("PERSIST p1")]
    return r == [True, True, "INT 1", "INT 1", "INT -1", "INT 0"]


@check("full")
def set_clears_expiry_and_incr_on_expired():
    c = Conn()
    c.cmd("SET sc 5")
    c.cmd("EXPIRE sc 100")
    c.cmd("SET sc 6")
    t = c.cmd("TTL sc")
    c.cmd("SET ie 41")
    c.cmd("EXPIRE ie 1")
    time.sleep(1.2)
    return t == "INT -1" and c.cmd("INCR ie") == "INT 1"


@check("full")
def expiry_survives_restart():
    c = Conn()
    c.cmd("SET es1 v")
    t0 = time.monotonic()
    c.cmd("EXPIRE es1 4")
    c.cmd("SET es2 v")
    c.cmd("EXPIRE es2 60")
    restart()
    c = Conn()
    t2 = c.cmd("TTL es2")
    first = c.cmd("GET es1") if time.monotonic() - t0 < 3.5 else "VALUE v"  # restart was slow: skip
    time.sleep(max(0.0, t0 + 4.3 - time.monotonic()))
    ttl_ok = t2.startswith("INT ") and t2[4:].isdigit() and 45 <= int(t2[4:]) <= 60
    return first == "VALUE v" and c.cmd("GET es1") == "NIL" and ttl_ok


@check("full")
def size_counts_live():
    c = Conn()
    before = int(c.cmd("SIZE")[4:])
    c.cmd("SET sz1 a")
    c.cmd("SET sz2 b")
    c.cmd("EXPIRE sz2 1")
    time.sleep(1.2)
    return c.cmd("SIZE") == f"INT {before + 1}"


@check("full")
def large_value():
    c = Conn()
    big = "x" * (1024 * 1024 - 20) + " y"
    c.send(f"SET big {big}")
    return c.line() == "OK" and c.cmd("GET big") == "VALUE " + big


@check("full")
def tx_and_expiry_commands():
    c = Conn()
    c.cmd("SET te v")
    c.cmd("BEGIN")
    r = is_err(c.cmd("EXPIRE te 5")) and is_err(c.cmd("TTL te"))
    c.cmd("ROLLBACK")
    return r and c.cmd("TTL te") == "INT -1"


def main():
    wanted = {"basic": ["basic"], "transactions": ["basic", "transactions"],
              "full": ["basic", "transactions", "full"]}[LEVEL]
    names = [n for n, (lvl, _) in CHECKS.items() if lvl in wanted]
    results = {n: False for n in names}
    kill_agent_processes()
    try:
        start()
    except Exception:
        kill()
        print(json.dumps(results))
        return
    for n in names:
        try:
            if proc is None or proc.poll() is not None:
                start()
            results[n] = bool(CHECKS[n][1]())
        except Exception:
            results[n] = False
    kill()
    print(json.dumps(results))


try:
    main()
finally:
    shutil.rmtree(DATA, ignore_errors=True)
