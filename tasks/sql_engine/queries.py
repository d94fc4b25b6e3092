"""Data and query generators of the sql_engine family (root-only: the hidden queries come from here)."""

import random

FIRST = ["Ada", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea", "Max", "Nia", "Oli",
         "Pia", "Quin", "Rae", "Sam", "Tia", "Uma", "Vic", "Wes", "Xia", "Yan", "Zoe", "ada", "Bo"]
LAST = ["Smith", "Jones", "O'Neil", "Garcia", "Kim", "Novak", "Berg", "Costa", "Diaz", "Evans", "Fox", "Gray", "Hall",
        "Ito", "Khan", "Lund", "Moss", "Nash"]
CITIES = ["Oslo", "Lyon", "Porto", "Graz", "Turku", "Cork", "Bari"]
ROLES = ["dev", "lead", "qa", "ops", "pm"]
STATUS = ["active", "done", "paused", "planned"]
DEPTS = ["Research", "Sales", "Support", "Ops", "Legal", "Design", "Finance", "Data", "Audit"]

SCHEMA = {
    "departments": [("id", "INTEGER"), ("name", "TEXT"), ("city", "TEXT"), ("budget", "REAL")],
    "employees": [("id", "INTEGER"), ("name", "TEXT"), ("dept_id", "INTEGER"), ("salary", "REAL"), ("age", "INTEGER"),
                  ("manager_id", "INTEGER"), ("email", "TEXT")],
    "projects": [("id", "INTEGER"), ("title", "TEXT"), ("dept_id", "INTEGER"), ("lead_id", "INTEGER"),
                 ("budget", "REAL"), ("status", "TEXT")],
    "assignments": [("emp_id", "INTEGER"), ("project_id", "INTEGER"), ("hours", "INTEGER"), ("role", "TEXT")],
}
BIG_SCHEMA = {
    "users": [("id", "INTEGER"), ("name", "TEXT"), ("region", "TEXT"), ("score", "INTEGER")],
    "events": [("id", "INTEGER"), ("user_id", "INTEGER"), ("kind", "TEXT"), ("amount", "REAL")],
}


def maybe(rng, p, value):
    return None if rng.random() < p else value


def quarter(rng, lo, hi):
    """A REAL that is a multiple of 0.25, so sums are exact and every engine rounds identically."""
    return rng.randint(lo * 4, hi * 4) / 4


def small_tables(seed):
    rng = random.Random(seed)
    tables = {}
    tables["departments"] = [
        (i + 1, DEPTS[i], maybe(rng, 0.15, rng.choice(CITIES)), maybe(rng, 0.1, quarter(rng, 1000, 90000)))
        for i in range(9)
    ]
    emps = []
    for i in range(1, 61):
        name = rng.choice(FIRST) + " " + rng.choice(LAST)
        email = maybe(rng, 0.2, name.split()[0].lower() + str(i) + "@" + rng.choice(["corp.example", "mail.test"]))
        emps.append((i, name, maybe(rng, 0.1, rng.randint(1, 10)), maybe(rng, 0.1, quarter(rng, 2000, 9000)),
                     maybe(rng, 0.1, rng.randint(19, 66)), None if i <= 4 else maybe(rng, 0.1, rng.randint(1, 20)),
                     email))
    tables["employees"] = emps
    tables["projects"] = [
        (i, rng.choice(["Apollo", "Borealis", "Cobalt", "Delta", "Ember", "Fjord", "Gale"]) + " " + str(i),
         maybe(rng, 0.15, rng.randint(1, 10)), maybe(rng, 0.15, rng.randint(1, 65)),
         maybe(rng, 0.1, quarter(rng, 500, 40000)), maybe(rng, 0.1, rng.choice(STATUS)))
        for i in range(1, 21)
    ]
    tables["assignments"] = [
        (maybe(rng, 0.05, rng.randint(1, 64)), maybe(rng, 0.05, rng.randint(1, 22)), maybe(rng, 0.1, rng.randint(0, 40)),
         maybe(rng, 0.1, rng.choice(ROLES)))
        for _ in range(130)
    ]
    return tables


def big_tables(seed, users=20000, events=50000):
    rng = random.Random(seed)
    regions = ["north", "south", "east", "west", "centre"]
    kinds = ["view", "click", "buy", "refund"]
    u = [(i, "user" + str(i), maybe(rng, 0.02, regions[rng.randrange(5)]), rng.randrange(1000)) for i in range(1, users + 1)]
    e = [(i, maybe(rng, 0.01, rng.randint(1, users + 500)), kinds[rng.randrange(4)], rng.randrange(4000) / 4)
         for i in range(1, events + 1)]
    return {"users": u, "events": e}


PERF_QUERIES = [
    "SELECT u.region, COUNT(*), SUM(e.amount) FROM events e JOIN users u ON e.user_id = u.id "
    "GROUP BY u.region ORDER BY u.region",
    "SELECT COUNT(*) FROM users u LEFT JOIN events e ON e.user_id = u.id WHERE e.id IS NULL",
    "SELECT COUNT(*), SUM(amount) FROM events WHERE user_id IN (SELECT id FROM users WHERE score >= 990)",
    "WITH t AS (SELECT user_id, COUNT(*) AS n FROM events WHERE kind = 'buy' GROUP BY user_id) "
    "SELECT t.n, COUNT(*) FROM t JOIN users u ON u.id = t.user_id WHERE u.score < 500 GROUP BY t.n ORDER BY t.n",
]

# Hand-written edge cases, by the tier that introduces them. (query, ordered)
EDGE = {
    1: [
        "SELECT id, name FROM employees WHERE dept_id = NULL",
        "SELECT id FROM employees WHERE dept_id IS NULL ORDER BY id",
        "SELECT id FROM employees WHERE NOT (dept_id = 3) ORDER BY id",
        "SELECT id, salary FROM employees ORDER BY salary, id",
        "SELECT id, salary FROM employees ORDER BY salary DESC, id DESC",
        "SELECT 7 / 2, -7 / 2, 7 % 3, -7 % 3, 7.0 / 2, 1 / 0, 5 % 0",
        "SELECT 10 / 4 * 4, 10.0 / 4, 2 + 3 * 4, (2 + 3) * 4",
        "SELECT NULL = NULL, NULL IS NULL, 1 IS NOT NULL, NULL AND 0, NULL OR 1, NOT NULL",
        "SELECT id, name FROM employees WHERE name LIKE 'a%' ORDER BY id",
        "SELECT id FROM employees WHERE name LIKE '%o''n%' ORDER BY id",
        "SELECT name FROM employees WHERE name = 'Ada Smith' OR name = 'ada Smith' ORDER BY 1",
        "SELECT DISTINCT dept_id FROM employees",
        "SELECT DISTINCT dept_id FROM employees ORDER BY dept_id DESC",
        "SELECT id FROM employees ORDER BY id LIMIT 5 OFFSET 58",
        "SELECT id FROM employees ORDER BY id LIMIT 0",
        "SELECT UPPER(name), LOWER(name), LENGTH(name), SUBSTR(name, 2, 3), SUBSTR(name, 4) FROM employees "
        "ORDER BY id LIMIT 6",
        "SELECT id, COALESCE(email, 'none'), email || '!' FROM employees ORDER BY id LIMIT 12",
        "SELECT id, salary * 2, salary / 3, -salary, ABS(0 - age) FROM employees ORDER BY id LIMIT 10",
        "SELECT id FROM employees WHERE age BETWEEN 30 AND 40 AND salary NOT BETWEEN 3000 AND 6000 ORDER BY id",
        "SELECT id FROM employees WHERE dept_id IN (1, 2, NULL) ORDER BY id",
        "SELECT id FROM employees WHERE dept_id NOT IN (1, 2, NULL)",
        "SELECT id FROM employees WHERE dept_id NOT IN (1, 2) ORDER BY id",
        "SELECT id AS k, name AS who FROM employees WHERE id < 4 ORDER BY who DESC, k",
        "SELECT id, age FROM employees ORDER BY age DESC, id LIMIT 8",
        "SELECT 'it''s', 'a' || 'b' || 'c', 1.5 + 1, 3 - 5.25",
        "SELECT * FROM departments ORDER BY id",
        # Errors: every engine must print ERROR for these.
        "SELECT nosuch FROM employees",
        "SELECT * FROM nosuch",
        "SELEC id FROM employees",
        "SELECT id FROM employees WHERE",
        "SELECT id, FROM employees",
        "SELECT UPPER(name, 1) FROM employees",
        "SELECT FROBNICATE(name) FROM employees",
        "SELECT id FROM employees ORDER BY 5",
        "SELECT id FROM employees WHERE name = 'unterminated",
    ],
    2: [
        "SELECT COUNT(*), COUNT(dept_id), COUNT(DISTINCT dept_id), SUM(age), AVG(salary), MIN(name), MAX(salary) "
        "FROM employees",
        "SELECT COUNT(*), SUM(age), AVG(age), MIN(age) FROM employees WHERE id > 1000",
        "SELECT dept_id, COUNT(*) FROM employees GROUP BY dept_id",
        "SELECT dept_id, COUNT(*) AS n FROM employees GROUP BY dept_id HAVING COUNT(*) > 5 ORDER BY n DESC, dept_id",
        "SELECT d.name, COUNT(e.id) FROM departments d LEFT JOIN employees e ON e.dept_id = d.id GROUP BY d.id, d.name",
        "SELECT d.name, e.name FROM departments d LEFT JOIN employees e ON e.dept_id = d.id AND e.age > 60 "
        "ORDER BY d.id, e.id",
        "SELECT e.name, m.name FROM employees e LEFT JOIN employees m ON e.manager_id = m.id ORDER BY e.id",
        "SELECT e.id, p.id FROM employees e JOIN assignments a ON a.emp_id = e.id JOIN projects p ON p.id = "
        "a.project_id WHERE a.hours > 30 ORDER BY e.id, p.id, a.hours",
        "SELECT id, CASE WHEN age < 30 THEN 'young' WHEN age < 50 THEN 'mid' ELSE 'senior' END FROM employees "
        "ORDER BY id",
        "SELECT CASE dept_id WHEN 1 THEN 'one' WHEN 2 THEN 'two' END, COUNT(*) FROM employees GROUP BY 1",
        "SELECT role, SUM(hours), AVG(hours) FROM assignments GROUP BY role",
        "SELECT status, COUNT(*), SUM(budget) FROM projects GROUP BY status HAVING SUM(budget) IS NOT NULL",
        "SELECT e.name FROM employees e, departments d WHERE e.dept_id = d.id AND d.city = 'Oslo' ORDER BY e.id",
        "SELECT dept_id, MAX(salary) - MIN(salary) FROM employees GROUP BY dept_id ORDER BY 2 DESC, 1",
        # Errors.
        "SELECT id FROM employees JOIN departments ON dept_id = departments.id",
        "SELECT name FROM employees WHERE COUNT(*) > 1",
        "SELECT COUNT(SUM(age)) FROM employees",
        "SELECT e.nosuch FROM employees e",
    ],
    3: [
        "SELECT id FROM employees WHERE dept_id NOT IN (SELECT dept_id FROM projects)",
        "SELECT id FROM employees WHERE dept_id IN (SELECT dept_id FROM projects WHERE status = 'done') ORDER BY id",
        "SELECT id FROM employees e WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.emp_id = e.id AND "
        "a.role = 'lead') ORDER BY id",
        "SELECT id FROM employees e WHERE NOT EXISTS (SELECT * FROM assignments a WHERE a.emp_id = e.id) ORDER BY id",
        "SELECT e.id, (SELECT d.name FROM departments d WHERE d.id = e.dept_id) FROM employees e ORDER BY e.id",
        "SELECT id, salary FROM employees e WHERE salary > (SELECT AVG(salary) FROM employees x WHERE "
        "x.dept_id = e.dept_id) ORDER BY id",
        "SELECT (SELECT MAX(age) FROM employees), (SELECT COUNT(*) FROM projects WHERE 1 = 0)",
        "WITH big AS (SELECT dept_id, COUNT(*) AS n FROM employees GROUP BY dept_id) SELECT d.name, big.n FROM big "
        "JOIN departments d ON d.id = big.dept_id ORDER BY big.n DESC, d.name",
        "WITH a AS (SELECT id FROM employees WHERE age > 40), b AS (SELECT id FROM a WHERE id % 2 = 0) "
        "SELECT COUNT(*) FROM b",
        "SELECT dept_id FROM employees UNION SELECT dept_id FROM projects",
        "SELECT dept_id FROM employees UNION ALL SELECT dept_id FROM projects",
        "SELECT name FROM departments UNION SELECT title FROM projects ORDER BY 1 DESC LIMIT 7",
        "SELECT x.n, COUNT(*) FROM (SELECT dept_id, COUNT(*) AS n FROM employees GROUP BY dept_id) x GROUP BY x.n",
        "SELECT id FROM employees WHERE age = (SELECT MAX(age) FROM employees) ORDER BY id",
        "SELECT d.name FROM departments d WHERE (SELECT COUNT(*) FROM employees e WHERE e.dept_id = d.id) = 0",
        # Errors.
        "SELECT id FROM employees UNION SELECT id, name FROM employees",
        "SELECT (SELECT id, name FROM departments) FROM employees",
        "WITH a AS (SELECT id FROM employees) SELECT nosuch FROM a",
    ],
}


class Gen:
    """Random query generator over the small tables; tier 1 = single table, 2 = joins/aggregates, 3 = subqueries."""

    INTS = {"employees": ["id", "dept_id", "age", "manager_id"], "projects": ["id", "dept_id", "lead_id"],
            "departments": ["id"], "assignments": ["emp_id", "project_id", "hours"]}
    REALS = {"employees": ["salary"], "projects": ["budget"], "departments": ["budget"], "assignments": []}
    TEXTS = {"employees": ["name", "email"], "projects": ["title", "status"], "departments": ["name", "city"],
             "assignments": ["role"]}
    KEYS = {"employees": ["id"], "projects": ["id"], "departments": ["id"],
            "assignments": ["emp_id", "project_id", "hours", "role"]}

    def __init__(self, seed):
        self.r = random.Random(seed)

    def c(self, seq):
        return self.r.choice(seq)

    def col(self, alias, table, kind):
        cols = {"int": self.INTS, "real": self.REALS, "text": self.TEXTS}[kind][table]
        if not cols:
            cols = self.INTS[table]
        return (alias + "." if alias else "") + self.c(cols)

    def num_lit(self, kind):
        if kind == "real" or self.r.random() < 0.15:
            return str(self.r.randint(0, 9000)) + "." + self.c(["0", "25", "5", "75"])
        return str(self.r.randint(-2, 60))

    def num_expr(self, a, t, depth=0):
        kind = "real" if self.r.random() < 0.35 else "int"
        base = self.col(a, t, kind)
        roll = self.r.random()
        if depth > 1 or roll < 0.4:
            return base
        if roll < 0.55:
            return base + " " + self.c(["+", "-", "*"]) + " " + str(self.r.randint(1, 9))
        if roll < 0.65:
            return base + " / " + self.c(["2", "3", "7", "0", "2.0"])
        if roll < 0.72:
            return self.col(a, t, "int") + " % " + self.c(["2", "3", "5"])
        if roll < 0.8:
            return "ABS(" + base + " - " + str(self.r.randint(10, 50)) + ")"
        if roll < 0.9:
            return "COALESCE(" + base + ", " + str(self.r.randint(-1, 9)) + ")"
        return "(" + self.num_expr(a, t, depth + 1) + ") " + self.c(["+", "*"]) + " " + self.col(a, t, "int")

    def text_expr(self, a, t):
        base = self.col(a, t, "text")
        roll = self.r.random()
        if roll < 0.45:
            return base
        if roll < 0.55:
            return "UPPER(" + base + ")"
        if roll < 0.65:
            return "LOWER(" + base + ")"
        if roll < 0.8:
            return "SUBSTR(" + base + ", " + str(self.r.randint(1, 4)) + self.c(["", ", 2", ", 3"]) + ")"
        if roll < 0.9:
            return base + " || '" + self.c(["-x", "!", " "]) + "'"
        return "LENGTH(" + base + ")"

    def text_lit(self):
        return "'" + self.c(FIRST + CITIES + ROLES + STATUS + DEPTS + ["Apollo 3", "zz", "M"]).replace("'", "''") + "'"

    def pred(self, a, t, depth=0):
        roll = self.r.random()
        if depth < 2 and roll < 0.2:
            return "(" + self.pred(a, t, depth + 1) + " " + self.c(["AND", "OR"]) + " " + self.pred(a, t, depth + 1) + ")"
        if depth < 2 and roll < 0.25:
            return "NOT " + self.pred(a, t, depth + 1)
        roll = self.r.random()
        op = self.c(["=", "<>", "!=", "<", "<=", ">", ">="])
        if roll < 0.35:
            kind = self.c(["int", "int", "real"])
            return self.col(a, t, kind) + " " + op + " " + self.num_lit(kind)
        if roll < 0.45:
            return self.num_expr(a, t) + " " + op + " " + self.num_lit("int")
        if roll < 0.55:
            return self.col(a, t, "text") + " " + op + " " + self.text_lit()
        if roll < 0.65:
            return self.col(a, t, self.c(["int", "text", "real"])) + " IS " + self.c(["", "NOT "]) + "NULL"
        if roll < 0.75:
            vals = [str(self.r.randint(0, 12)) for _ in range(self.r.randint(1, 4))]
            if self.r.random() < 0.3:
                vals.append("NULL")
            return self.col(a, t, "int") + self.c([" IN ", " NOT IN "]) + "(" + ", ".join(vals) + ")"
        if roll < 0.85:
            lo = self.r.randint(0, 40)
            return self.col(a, t, "int") + self.c([" BETWEEN ", " NOT BETWEEN "]) + str(lo) + " AND " + str(
                lo + self.r.randint(0, 30))
        pat = self.c(["a%", "%a", "%an%", "_o%", "%.test", "%e_", "A%", "%'%"]).replace("'", "''")
        return self.col(a, t, "text") + self.c([" LIKE ", " NOT LIKE "]) + "'" + pat + "'"

    def any_expr(self, a, t):
        return self.num_expr(a, t) if self.r.random() < 0.55 else self.text_expr(a, t)

    def order_keys(self, a, t, exprs):
        keys = []
        for _ in range(self.r.randint(0, 2)):
            if exprs and self.r.random() < 0.3:
                keys.append(str(self.r.randint(1, len(exprs))))
            else:
                keys.append(self.any_expr(a, t))
            keys[-1] += self.c(["", " ASC", " DESC"])
        keys += [(a + "." if a else "") + k + self.c(["", " DESC"]) for k in self.KEYS[t]]
        return keys

    def single(self):
        t = self.c(["employees", "employees", "projects", "departments", "assignments"])
        exprs = [self.any_expr("", t) for _ in range(self.r.randint(1, 4))]
        where = " WHERE " + self.pred("", t) if self.r.random() < 0.8 else ""
        if self.r.random() < 0.15:
            exprs = [self.col("", t, self.c(["int", "text"])) for _ in range(self.r.randint(1, 2))]
            tail = " ORDER BY " + ", ".join(e + self.c(["", " DESC"]) for e in exprs) if self.r.random() < 0.5 else ""
            return "SELECT DISTINCT " + ", ".join(exprs) + " FROM " + t + where + tail, bool(tail)
        sel = ", ".join(exprs) if self.r.random() < 0.9 else "*"
        if self.r.random() < 0.25:
            return "SELECT " + sel + " FROM " + t + where, False
        q = "SELECT " + sel + " FROM " + t + where + " ORDER BY " + ", ".join(self.order_keys("", t, exprs))
        if self.r.random() < 0.35:
            q += " LIMIT " + str(self.r.randint(0, 15))
            if self.r.random() < 0.5:
                q += " OFFSET " + str(self.r.randint(0, 20))
        return q, True

    JOINS = [
        ("employees e", "departments d", "e.dept_id = d.id", "e", "employees", "d", "departments"),
        ("projects p", "departments d", "p.dept_id = d.id", "p", "projects", "d", "departments"),
        ("projects p", "employees e", "p.lead_id = e.id", "p", "projects", "e", "employees"),
        ("assignments a", "employees e", "a.emp_id = e.id", "a", "assignments", "e", "employees"),
        ("assignments a", "projects p", "a.project_id = p.id", "a", "assignments", "p", "projects"),
        ("employees e", "employees m", "e.manager_id = m.id", "e", "employees", "m", "employees"),
        ("departments d", "employees e", "e.dept_id = d.id", "d", "departments", "e", "employees"),
    ]

    def join(self):
        left, right, on, la, lt, ra, rt = self.c(self.JOINS)
        kind = self.c(["JOIN", "INNER JOIN", "LEFT JOIN", "LEFT JOIN"])
        exprs = [self.any_expr(self.c([la, ra]), t) for t in [lt, rt] for _ in range(self.r.randint(0, 2))] or [
            la + ".*"]
        src = " FROM " + left + " " + kind + " " + right + " ON " + on
        if self.r.random() < 0.3:
            src = src + " AND " + self.pred(ra, rt, 2)
        where = ""
        if self.r.random() < 0.5:
            a, t = self.c([(la, lt), (ra, rt)])
            where = " WHERE " + self.pred(a, t, 1)
        # assignments has no unique key: its "key" is every column, so rows equal on all keys are identical.
        keys = [la + "." + k for k in self.KEYS[lt]] + [ra + "." + k for k in self.KEYS[rt]]
        fixed_exprs = exprs
        if self.r.random() < 0.3:
            return "SELECT " + ", ".join(fixed_exprs) + src + where, False
        q = "SELECT " + ", ".join(fixed_exprs) + src + where + " ORDER BY " + ", ".join(
            k + self.c(["", " DESC"]) for k in keys)
        if self.r.random() < 0.2:
            q += " LIMIT " + str(self.r.randint(1, 10))
        return q, True

    def aggregate_call(self, a, t):
        roll = self.r.random()
        if roll < 0.2:
            return "COUNT(*)"
        fn = self.c(["COUNT", "SUM", "AVG", "MIN", "MAX"])
        arg = self.num_expr(a, t, 2) if fn in ("SUM", "AVG") else self.any_expr(a, t) if fn == "COUNT" else (
            self.col(a, t, self.c(["int", "real", "text"])))
        if fn == "COUNT" and self.r.random() < 0.3:
            return "COUNT(DISTINCT " + self.col(a, t, self.c(["int", "text"])) + ")"
        return fn + "(" + arg + ")"

    def grouped(self):
        if self.r.random() < 0.5:
            t = self.c(["employees", "projects", "assignments"])
            a, src, gt = "", " FROM " + t, t
            gcols = [self.col("", t, self.c(["int", "text"])) for _ in range(self.r.randint(1, 2))]
            gcols = list(dict.fromkeys(gcols))
        else:
            left, right, on, la, lt, ra, rt = self.c(self.JOINS)
            src = " FROM " + left + " " + self.c(["JOIN", "LEFT JOIN"]) + " " + right + " ON " + on
            a, gt = ra, rt
            gcols = [la + "." + self.KEYS[lt][0]] if lt != "assignments" else [la + ".role"]
            if self.r.random() < 0.5:
                gcols.append(self.col(la, lt, "text"))
        if self.r.random() < 0.3:
            gcols_expr = ["CASE WHEN " + self.pred(a or "", gt, 2) + " THEN 'y' ELSE 'n' END"] if not a else gcols
            if not a:
                gcols = gcols_expr
        aggs = [self.aggregate_call(a, gt) for _ in range(self.r.randint(1, 3))]
        where = " WHERE " + self.pred(a, gt, 1) if self.r.random() < 0.4 else ""
        having = ""
        if self.r.random() < 0.35:
            having = " HAVING " + self.c(["COUNT(*)", "SUM(" + self.col(a, gt, "int") + ")", "MIN(" + self.col(
                a, gt, "int") + ")"]) + " " + self.c([">", "<", ">=", "="]) + " " + str(self.r.randint(0, 12))
        q = "SELECT " + ", ".join(gcols + aggs) + src + where + " GROUP BY " + ", ".join(gcols) + having
        if self.r.random() < 0.5:
            return q + " ORDER BY " + ", ".join(
                str(i + 1) + self.c(["", " DESC"]) for i in range(len(gcols))), True
        return q, False

    def whole(self):
        t = self.c(["employees", "projects", "assignments"])
        aggs = [self.aggregate_call("", t) for _ in range(self.r.randint(1, 4))]
        where = " WHERE " + self.pred("", t) if self.r.random() < 0.6 else ""
        return "SELECT " + ", ".join(aggs) + " FROM " + t + where, True

    def case_query(self):
        t = self.c(["employees", "projects"])
        whens = " ".join("WHEN " + self.pred("", t, 2) + " THEN " + self.c([self.text_lit(), self.num_lit("int")])
                         for _ in range(self.r.randint(1, 3)))
        other = self.c(["", " ELSE " + self.any_expr("", t)])
        return "SELECT id, CASE " + whens + other + " END FROM " + t + " ORDER BY id", True

    def subquery(self):
        roll = self.r.random()
        if roll < 0.2:
            t, col, it, icol = self.c([("employees", "dept_id", "projects", "dept_id"),
                                       ("employees", "id", "projects", "lead_id"),
                                       ("projects", "id", "assignments", "project_id"),
                                       ("employees", "id", "assignments", "emp_id")])
            inner = "SELECT " + icol + " FROM " + it + (" WHERE " + self.pred("", it, 1) if self.r.random() < 0.6 else "")
            return "SELECT id FROM " + t + " WHERE " + col + self.c([" IN ", " NOT IN "]) + "(" + inner + ")", False
        if roll < 0.4:
            cond = self.c(["a.emp_id = e.id", "a.emp_id = e.manager_id"])
            return ("SELECT e.id, e.name FROM employees e WHERE " + self.c(["", "NOT "]) +
                    "EXISTS (SELECT 1 FROM assignments a WHERE " + cond + " AND " + self.pred("a", "assignments", 2) +
                    ") ORDER BY e.id", True)
        if roll < 0.55:
            agg = self.c(["AVG(x.salary)", "MAX(x.age)", "COUNT(*)", "MIN(x.name)", "SUM(x.age)"])
            return ("SELECT e.id, (SELECT " + agg + " FROM employees x WHERE x." + self.c(
                ["dept_id = e.dept_id", "manager_id = e.id", "age > e.age"]) + ") FROM employees e WHERE " +
                self.pred("e", "employees", 1) + " ORDER BY e.id", True)
        if roll < 0.7:
            agg = self.c(["AVG(salary)", "AVG(age)", "MIN(salary)"])
            col = "salary" if "salary" in agg else "age"
            return ("SELECT e.id FROM employees e WHERE e." + col + self.c([" > ", " < "]) + "(SELECT " + agg +
                    " FROM employees x WHERE " + self.c(["x.dept_id = e.dept_id", "x.id <> e.id", "1 = 1"]) +
                    ") ORDER BY e.id", True)
        if roll < 0.82:
            n = self.r.randint(1, 2)
            a = "SELECT " + ", ".join(self.col("", "employees", "int") for _ in range(n)) + " FROM employees WHERE " + \
                self.pred("", "employees", 1)
            b = "SELECT " + ", ".join(self.col("", "projects", "int") for _ in range(n)) + " FROM projects"
            if self.r.random() < 0.5:
                b += " WHERE " + self.pred("", "projects", 1)
            return a + self.c([" UNION ", " UNION ALL "]) + b, False
        inner_q, _ = self.grouped()
        inner_q = inner_q.split(" ORDER BY ")[0]
        select_list = inner_q[len("SELECT "):inner_q.index(" FROM ")]
        n = len(split_top(select_list))
        names = ["c" + str(i) for i in range(n)]
        aliased = ", ".join(e + " AS " + nm for e, nm in zip(split_top(select_list), names))
        inner_q = "SELECT " + aliased + inner_q[inner_q.index(" FROM "):]
        pick = self.c(names)
        return ("WITH g AS (" + inner_q + ") SELECT " + pick + ", COUNT(*) FROM g GROUP BY " + pick, False)

    def query(self, tier):
        roll = self.r.random()
        if tier == 1 or roll < 0.25:
            return self.single()
        if tier == 2 or roll < 0.55:
            kind = self.r.random()
            if kind < 0.35:
                return self.join()
            if kind < 0.75:
                return self.grouped()
            if kind < 0.88:
                return self.whole()
            return self.case_query()
        return self.subquery()


def split_top(text):
    """Split a select list at top-level commas."""
    out, depth, cur, quote = [], 0, "", False
    for ch in text:
        if ch == "'":
            quote = not quote
        if not quote:
            depth += ch == "("
            depth -= ch == ")"
            if ch == "," and depth == 0:
                out.append(cur.strip())
                cur = ""
                continue
        cur += ch
    out.append(cur.strip())
    return out


def query_set(tier, seed, count):
    """count generated queries (no duplicates) plus, for the final set, the hand-written edge cases of each tier."""
    gen, seen, out = Gen(seed), set(), []
    while len(out) < count:
        q, ordered = gen.query(tier)
        if q not in seen:
            seen.add(q)
            out.append((q, ordered))
    return out


def edge_cases(tier):
    out = []
    for level in range(1, tier + 1):
        for q in EDGE[level]:
            out.append((q, q.rfind(" ORDER BY ") > q.rfind(")")))
    return out
