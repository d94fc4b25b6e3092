# Reads the files correctly but lets the later record in the file win and treats every weight as kg.
import csv, io, json, re
CODES = {"germany": "DE", "france": "FR", "spain": "ES", "italy": "IT", "portugal": "PT"}
cust = {}
for rec in json.load(open("/home/agent/customers.json", encoding="utf-8")):
    c = rec["country"].strip().lower()
    cust[int(rec["id"].split("-")[1])] = CODES.get(c, c.upper())
text = open("/home/agent/shipments.csv", encoding="latin-1", newline="").read()
ships = {}
for row in csv.DictReader(io.StringIO(text), delimiter=";"):
    ships[row["shipment_id"]] = (int(re.sub(r"\D", "", row["customer"])), float(row["weight"].replace(",", ".")),
                                 float(row["value_eur"].replace(".", "").replace(",", ".")))
by_country = {c: 0.0 for c in CODES.values()}
by_cust = {}
for num, kg, v in ships.values():
    if num in cust:
        by_country[cust[num]] += kg
        by_cust[num] = by_cust.get(num, 0) + v
print(json.dumps({"weight_by_country": {k: round(v, 1) for k, v in by_country.items()},
                  "unknown_customer_shipments": sum(1 for s in ships.values() if s[0] not in cust),
                  "top_customer": f"C-{max(by_cust, key=by_cust.get):04d}", "distinct_shipments": len(ships),
                  "heaviest_kg": round(max(s[1] for s in ships.values()), 1)}))
