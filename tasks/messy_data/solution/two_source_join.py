import csv, io, json, re
CODES = {"germany": "DE", "france": "FR", "spain": "ES", "italy": "IT", "portugal": "PT"}
def country(s):
    s = s.strip().lower()
    return CODES.get(s, s.upper())
latest = {}
for rec in json.load(open("/home/agent/customers.json", encoding="utf-8")):
    num = int(rec["id"].split("-")[1])
    if num not in latest or rec["updated"] > latest[num][0]:
        latest[num] = (rec["updated"], country(rec["country"]))
text = open("/home/agent/shipments.csv", encoding="latin-1", newline="").read()
ships = {}
for row in csv.DictReader(io.StringIO(text), delimiter=";"):
    num = int(re.sub(r"\D", "", row["customer"]))
    w = float(row["weight"].replace(",", "."))
    kg = w * 0.45359237 if row["unit"].strip().lower() in ("lb", "lbs") else w
    value = float(row["value_eur"].replace(".", "").replace(",", "."))
    ships[row["shipment_id"]] = (num, kg, value)
by_country = {c: 0.0 for c in CODES.values()}
by_cust = {}
unknown = 0
for num, kg, value in ships.values():
    if num not in latest:
        unknown += 1
        continue
    by_country[latest[num][1]] += kg
    by_cust[num] = by_cust.get(num, 0) + value
print(json.dumps({
    "weight_by_country": {k: round(v, 1) for k, v in by_country.items()},
    "unknown_customer_shipments": unknown,
    "top_customer": f"C-{max(by_cust, key=by_cust.get):04d}",
    "distinct_shipments": len(ships),
    "heaviest_kg": round(max(kg for _, kg, _ in ships.values()), 1),
}))
