# Matches only canonical INV-2025-NNNN references, compares EUR directly with invoice amounts, keeps
# duplicated bank lines, and calls every credit without such a reference unmatched.
import csv, json, re
invoices = {r["invoice_id"]: float(r["amount"]) for r in csv.DictReader(open("/home/agent/invoices.csv"))}
paid = {k: 0.0 for k in invoices}
unmatched = []
for row in csv.DictReader(open("/home/agent/bank_export.csv", encoding="utf-8-sig"), delimiter=";"):
    eur = float(row["amount_eur"].replace(".", "").replace(",", "."))
    m = re.search(r"INV-2025-\d{4}", row["reference"])
    if m and m[0] in paid: paid[m[0]] += eur
    elif eur > 0: unmatched.append(row["txn_id"])
full = [k for k in invoices if paid[k] >= invoices[k] - 0.05]
print(json.dumps({"fully_paid": sorted(full),
                  "outstanding_eur": round(sum(invoices[k] - paid[k] for k in invoices if k not in full), 2),
                  "unmatched_txns": sorted(set(unmatched)),
                  "overpaid": sorted(k for k in invoices if paid[k] - invoices[k] > 1)}))
