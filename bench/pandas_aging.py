# Copied from ../shared/bench/pandas_aging.py (shared team material, unchanged below this
# comment): the pandas + openpyxl baseline of issue 7, kept here so bench/run.sh works on a
# fresh clone.
"""The baseline: what a finance analyst writes instead of payback, in idiomatic pandas +
openpyxl with no special tuning.

usage: python3 pandas_aging.py INVOICES(.csv|.xlsx) OUT.xlsx [--as-of YYYY-MM-DD]

Reads invoices (columns as made by gen_invoices.py), computes open amounts and days past
due as of the date, buckets them (Not due, 1-30, 31-60, 61-90, 91-120, Over 120), and writes
a workbook: Summary (bucket totals per currency), By Customer (customer x bucket pivot),
Detail (every open item with days and bucket)."""
import argparse
import pandas as pd

p = argparse.ArgumentParser()
p.add_argument("inp")
p.add_argument("out")
p.add_argument("--as-of", default="2026-11-30")
a = p.parse_args()

if a.inp.endswith(".xlsx"):
    df = pd.read_excel(a.inp, engine="openpyxl")
else:
    df = pd.read_csv(a.inp)
df["invoice_date"] = pd.to_datetime(df["invoice_date"])
df["due_date"] = pd.to_datetime(df["due_date"])
as_of = pd.Timestamp(a.as_of)
df = df[df["invoice_date"] <= as_of].copy()
df["open_amount"] = (df["amount"] - df["paid_amount"]).round(2)
df = df[df["open_amount"] != 0]
df["days_past_due"] = (as_of - df["due_date"]).dt.days
labels = ["Not due", "1-30", "31-60", "61-90", "91-120", "Over 120"]
df["bucket"] = pd.cut(df["days_past_due"], [-10**9, 0, 30, 60, 90, 120, 10**9], labels=labels)

summary = df.pivot_table(index="currency", columns="bucket", values="open_amount",
                         aggfunc="sum", observed=False).fillna(0)
summary["Total"] = summary.sum(axis=1)
by_customer = df.pivot_table(index=["customer", "currency"], columns="bucket",
                             values="open_amount", aggfunc="sum", observed=False).fillna(0)
by_customer["Total"] = by_customer.sum(axis=1)
by_customer = by_customer.sort_values("Total", ascending=False)

with pd.ExcelWriter(a.out, engine="openpyxl") as xw:
    summary.to_excel(xw, sheet_name="Summary")
    by_customer.to_excel(xw, sheet_name="By Customer")
    df.sort_values(["customer", "due_date"]).to_excel(xw, sheet_name="Detail", index=False)
print(f"{len(df)} open items, total {df['open_amount'].sum():.2f}")
