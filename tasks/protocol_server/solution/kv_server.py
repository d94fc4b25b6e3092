"""KVLine reference server (levels 1-3). Usage: python3 kv_server.py PORT DATA_DIR

Storage: an append-only log of checksummed JSON records in DATA_DIR/kv.log; each acknowledged write
(or whole transaction) is one record, flushed and fsynced before the reply. On start the log is replayed
up to the first torn or corrupt record, and the file is truncated there.
"""
import json
import math
import os
import re
import socketserver
import sys
import threading
import time
import zlib

INT_RE = re.compile(r"-?\d+\Z")
DELETED = object()


class Store:
    def __init__(self, data_dir):
        self.lock = threading.RLock()
        self.data = {}  # key -> [value, deadline or None]
        self.version = {}  # key -> change counter
        self.clock = 0
        self.log = None
        if data_dir:
            os.makedirs(data_dir, exist_ok=True)
            path = os.path.join(data_dir, "kv.log")
            good = 0
            if os.path.exists(path):
                with open(path, "rb") as f:
                    for line in f:
                        try:
                            crc, body = line.rstrip(b"\n").split(b" ", 1)
                            if not line.endswith(b"\n") or int(crc, 16) != zlib.crc32(body):
                                break
                            self._apply(json.loads(body))
                        except Exception:
                            break
                        good += len(line)
                with open(path, "r+b") as f:
                    f.truncate(good)
            self.log = open(path, "ab")

    def _apply(self, rec):
        kind = rec[0]
        if kind == "tx":
            for r in rec[1]:
                self._apply(r)
            return
        key = rec[1]
        if kind == "set":
            self.data[key] = [rec[2], None]
        elif kind == "del":
            self.data.pop(key, None)
        elif kind == "exp":
            if key in self.data:
                self.data[key][1] = rec[2]
        self.clock += 1
        self.version[key] = self.clock

    def write(self, rec):
        """Apply and durably log one record (caller holds the lock)."""
        if self.log:
            body = json.dumps(rec, separators=(",", ":")).encode()
            self.log.write(b"%08x " % zlib.crc32(body) + body + b"\n")
            self.log.flush()
            os.fsync(self.log.fileno())
        self._apply(rec)

    def live(self, key):
        item = self.data.get(key)
        if item is None:
            return None
        if item[1] is not None and time.time() >= item[1]:
            return None
        return item


class Session:
    def __init__(self, store):
        self.store = store
        self.tx = None  # {"writes": {key: value|DELETED}, "seen": {key: version}}

    # -- views honouring the open transaction
    def _get(self, key):
        if self.tx is not None:
            self._touch(key)
            if key in self.tx["writes"]:
                v = self.tx["writes"][key]
                return None if v is DELETED else v
        item = self.store.live(key)
        return None if item is None else item[0]

    def _touch(self, key):
        if key not in self.tx["seen"]:
            self.tx["seen"][key] = self.store.version.get(key, 0)

    def _set(self, key, value):
        if self.tx is not None:
            self._touch(key)
            self.tx["writes"][key] = value
        else:
            self.store.write(["set", key, value])

    def _del(self, key):
        if self.tx is not None:
            self._touch(key)
            self.tx["writes"][key] = DELETED
        else:
            self.store.write(["del", key])

    def _keys(self, prefix):
        keys = {k for k in self.store.data if self.store.live(k) is not None}
        if self.tx is not None:
            for k, v in self.tx["writes"].items():
                if v is DELETED:
                    keys.discard(k)
                else:
                    keys.add(k)
        return sorted(k for k in keys if k.startswith(prefix))

    def handle(self, line):
        if line == "":
            return None
        if " " in line:
            cmd, rest = line.split(" ", 1)
        else:
            cmd, rest = line, None
        cmd = cmd.upper()
        args = rest.split(" ") if rest not in (None, "") else []
        with self.store.lock:
            return self._dispatch(cmd, rest, args)

    def _dispatch(self, cmd, rest, args):
        arity = "ERR wrong number of arguments"
        if cmd == "PING":
            return "PONG" if not args else arity
        if cmd == "QUIT":
            return "BYE"
        if cmd == "SET":
            if rest is None or " " not in rest:
                return arity
            key, value = rest.split(" ", 1)
            if not key:
                return arity
            self._set(key, value)
            return "OK"
        if cmd == "GET":
            if len(args) != 1:
                return arity
            v = self._get(args[0])
            return "NIL" if v is None else "VALUE " + v
        if cmd == "DEL":
            if len(args) != 1:
                return arity
            existed = self._get(args[0]) is not None
            if existed:
                self._del(args[0])
            elif self.tx is not None:
                self._touch(args[0])
            return "INT %d" % existed
        if cmd == "INCR":
            if len(args) not in (1, 2):
                return arity
            delta = args[1] if len(args) == 2 else "1"
            if not INT_RE.match(delta):
                return "ERR delta is not an integer"
            cur = self._get(args[0])
            if cur is None:
                cur = "0"
            if not INT_RE.match(cur):
                return "ERR value is not an integer"
            n = int(cur) + int(delta)
            self._set(args[0], str(n))
            return "INT %d" % n
        if cmd == "KEYS":
            if len(args) > 1:
                return arity
            ks = self._keys(args[0] if args else "")
            return " ".join(["KEYS", str(len(ks))] + ks)
        if cmd == "BEGIN":
            if args:
                return arity
            if self.tx is not None:
                return "ERR transaction already open"
            self.tx = {"writes": {}, "seen": {}}
            return "OK"
        if cmd in ("COMMIT", "ROLLBACK"):
            if args:
                return arity
            if self.tx is None:
                return "ERR no transaction"
            tx, self.tx = self.tx, None
            if cmd == "ROLLBACK":
                return "OK"
            for k, ver in tx["seen"].items():
                if self.store.version.get(k, 0) != ver:
                    return "CONFLICT"
            recs = [["del", k] if v is DELETED else ["set", k, v] for k, v in tx["writes"].items()]
            if recs:
                self.store.write(["tx", recs])
            return "OK"
        if cmd in ("EXPIRE", "TTL", "PERSIST"):
            if self.tx is not None:
                return "ERR not allowed in a transaction"
            want = 2 if cmd == "EXPIRE" else 1
            if len(args) != want:
                return arity
            item = self.store.live(args[0])
            if cmd == "TTL":
                if item is None:
                    return "INT -2"
                if item[1] is None:
                    return "INT -1"
                return "INT %d" % max(0, math.ceil(item[1] - time.time()))
            if cmd == "PERSIST":
                if item is None or item[1] is None:
                    return "INT 0"
                self.store.write(["set", args[0], item[0]])
                return "INT 1"
            if not re.match(r"\d+\Z", args[1]) or int(args[1]) <= 0:
                return "ERR seconds must be a positive integer"
            if item is None:
                return "INT 0"
            self.store.write(["exp", args[0], time.time() + int(args[1])])
            return "INT 1"
        if cmd == "SIZE":
            if args:
                return arity
            return "INT %d" % sum(1 for k in self.store.data if self.store.live(k) is not None)
        return "ERR unknown command"


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        session = Session(self.server.store)
        out = self.wfile
        while True:
            raw = self.rfile.readline(2 * 1024 * 1024)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line.endswith("\r"):
                line = line[:-1]
            reply = session.handle(line)
            if reply is None:
                continue
            out.write(reply.encode() + b"\n")
            if reply == "BYE":
                return


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    port = int(sys.argv[1])
    data_dir = sys.argv[2] if len(sys.argv) > 2 else None
    srv = Server(("127.0.0.1", port), Handler)
    srv.store = Store(data_dir)
    srv.serve_forever()
