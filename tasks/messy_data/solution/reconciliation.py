import csv, json, re, unicodedata
def fold(s):
    s = s.replace("ø", "o").replace("Ø", "O").replace("ß", "ss")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return s.upper()
rates = {}
for row in csv.DictReader(open("/home/agent/rates.csv")):
    rates.setdefault(row["currency"], {})[row["date"]] = float(row["eur_per_unit"])
def rate(cur, day):
    if cur == "EUR": return 1.0
    return rates[cur][max(d for d in rates[cur] if d <= day)]
last_day = max(max(v) for v in rates.values())
invoices = {}
for row in csv.DictReader(open("/home/agent/invoices.csv", encoding="utf-8")):
    n = int(row["invoice_id"].rsplit("-", 1)[1])
    invoices[n] = dict(id=row["invoice_id"], customer=fold(row["customer"]), cur=row["currency"], amount=float(row["amount"]))
def day_of(s):
    s = s.strip()
    m = re.match(r"(\d\d)\.(\d\d)\.(\d{4})$", s)
    return f"{m[3]}-{m[2]}-{m[1]}" if m else s[:10]
txns = {}
for row in csv.DictReader(open("/home/agent/bank_export.csv", encoding="utf-8-sig"), delimiter=";"):
    eur = float(row["amount_eur"].replace(".", "").replace(",", "."))
    txns[row["txn_id"]] = dict(day=day_of(row["booking_date"]), payer=row["payer"].strip(), ref=row["reference"], eur=eur)
paid = {n: 0.0 for n in invoices}
unmatched, by_name = [], []
for tid, t in txns.items():
    m = re.search(r"2025\D{0,3}0*(\d{1,4})(?!\d)", t["ref"])
    if m and int(m[1]) in invoices:
        inv = invoices[int(m[1])]
        paid[int(m[1])] += t["eur"] / rate(inv["cur"], t["day"])
    else:
        by_name.append(tid)
full = lambda n: paid[n] >= invoices[n]["amount"] - 0.05
for tid in by_name:
    t = txns[tid]
    cands = [n for n, inv in invoices.items() if inv["customer"] == t["payer"] and not full(n)
             and abs(t["eur"] / rate(inv["cur"], t["day"]) - inv["amount"]) <= 0.05]
    if len(cands) == 1:
        paid[cands[0]] += t["eur"] / rate(invoices[cands[0]]["cur"], t["day"])
    else:
        unmatched.append(tid)
print(json.dumps({
    "fully_paid": sorted(invoices[n]["id"] for n in invoices if full(n)),
    "outstanding_eur": round(sum((inv["amount"] - paid[n]) * rate(inv["cur"], last_day)
                                 for n, inv in invoices.items() if not full(n)), 2),
    "unmatched_txns": sorted(unmatched),
    "overpaid": sorted(invoices[n]["id"] for n in invoices if paid[n] - invoices[n]["amount"] > 1),
}))
