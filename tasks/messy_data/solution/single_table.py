import csv, json, re
from datetime import datetime
MON = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
def date(s):
    s = s.strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\d", s): return s
    m = re.fullmatch(r"(\d\d)/(\d\d)/(\d{4})", s)
    if m: return f"{m[3]}-{m[2]}-{m[1]}"
    d, mon, y = s.split()
    return f"{y}-{MON[mon]:02d}-{int(d):02d}"
def amount(s):
    s = s.strip().replace("$", "").replace(",", "")
    return None if s in ("", "N/A", "n/a") else float(s)
orders = {}
for row in csv.DictReader(open("/home/agent/orders.csv", newline="")):
    orders[row["order_id"]] = (date(row["order_date"]), row["region"].strip().lower(), amount(row["amount"]))
known = [o for o in orders.values() if o[2] is not None]
months = {}
for d, _, a in known: months[d[:7]] = months.get(d[:7], 0) + a
north = [a for _, reg, a in known if reg == "north"]
print(json.dumps({
    "unique_orders": len(orders),
    "total_revenue": round(sum(a for *_, a in known), 2),
    "best_month": max(months, key=months.get),
    "missing_amounts": len(orders) - len(known),
    "north_average": round(sum(north) / len(north), 2),
}))
