#!/usr/bin/env python3
"""Writes a generated data set in the published layouts the GeoPolRisk sweep reads, of
geopolrisk-py's grid shape: BACI trade CSVs (t,i,j,k,v,q, one file per year) with BACI's
country-code file, a production table in World Mining Data's layout, a WGI DataBank export of
political stability (PV.EST) and the material -> HS6 table. Figures are random (seeded): the
files are for timing, not for conclusions. Countries are the reference's (data/reference).

    bench/geopolrisk_sweep_data.py OUT_DIR [--materials 53] [--years 2018-2022] [--seed 1]
"""

import argparse
import csv
import os
import random

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--materials", type=int, default=53)
    p.add_argument("--years", default="2018-2022")
    p.add_argument("--exporters", type=int, default=40, help="mean exporters per importer and HS code")
    p.add_argument("--other-rows", type=int, default=400000,
                   help="rows per year of products that are no material's (read and skipped)")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    first, last = (int(x) for x in a.years.split("-"))
    years = list(range(first, last + 1))
    rng = np.random.default_rng(a.seed)
    random.seed(a.seed)
    os.makedirs(a.out, exist_ok=True)

    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    with open(os.path.join(root, "data", "reference", "countries.csv"), newline="") as f:
        countries = [(r["iso3"], int(r["iso_num"]), r["name"]) for r in csv.DictReader(f)
                     if r["kind"] == "country" and r["iso_num"]]
    countries = [c for c in countries if c[1] < 1000][:220]
    codes = np.array([c[1] for c in countries])
    n = len(countries)

    with open(os.path.join(a.out, "country_codes.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["country_code", "country_name", "country_iso2", "country_iso3"])
        for iso3, code, name in countries:
            w.writerow([code, name, iso3[:2], iso3])

    # Materials and their HS6 codes (1 to 3 each, from distinct chapters 25-81).
    materials, hs = [], []
    pool = random.sample(range(250100, 819999, 100), a.materials * 3)
    for m in range(a.materials):
        name = f"Material{m + 1:02d}"
        materials.append(name)
        for _ in range(random.choice((1, 1, 2, 3))):
            hs.append((name, pool.pop()))
    with open(os.path.join(a.out, "material_hs.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["material", "hs6"])
        for name, code in hs:
            w.writerow([name, f"{code:06d}"])

    with open(os.path.join(a.out, "production.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["rawMaterial", "Country", "Country_Code", "Country_ISO"] + [str(y) for y in years] +
                   ["unit", "data_source"])
        for name in materials:
            for i in rng.choice(n, size=int(rng.integers(5, 40)), replace=False):
                iso3, code, cname = countries[i]
                w.writerow([name, cname, code, iso3] + [f"{x:.1f}" for x in rng.lognormal(9, 2, len(years))] +
                           ["metr. t", "r"])

    with open(os.path.join(a.out, "wgi_databank.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Country Name", "Country Code", "Series Name", "Series Code"] + [f"{y} [YR{y}]" for y in years])
        for iso3, _, cname in countries:
            pv = rng.normal(0, 1, len(years)).clip(-2.5, 2.5)
            w.writerow([cname, iso3, "Political Stability and Absence of Violence/Terrorism: Estimate", "PV.EST"] +
                       [f"{x:.6f}" for x in pv])

    hs_codes = np.array([c for _, c in hs])
    for y in years:
        parts = []
        # Every importer buys every material's products from a random set of exporters.
        k = rng.poisson(a.exporters, size=(n, len(hs_codes))).clip(1, n - 1)
        imp = np.repeat(np.repeat(np.arange(n), len(hs_codes)), k.ravel())
        prod = np.repeat(np.tile(hs_codes, n), k.ravel())
        exp = (imp + 1 + rng.integers(0, n - 1, size=imp.size)) % n
        parts.append((imp, exp, prod))
        other = rng.integers(100000, 999999, size=a.other_rows)
        other = other[~np.isin(other, hs_codes)]
        oi = rng.integers(0, n, size=other.size)
        parts.append((oi, (oi + 1 + rng.integers(0, n - 1, size=other.size)) % n, other))
        imp = np.concatenate([p[0] for p in parts])
        exp = np.concatenate([p[1] for p in parts])
        prod = np.concatenate([p[2] for p in parts])
        v = rng.lognormal(3, 2, imp.size)
        q = rng.lognormal(2, 2, imp.size)
        order = np.lexsort((prod, imp, exp))  # BACI sorts by exporter, importer, product
        table = np.column_stack([np.full(imp.size, y), codes[exp[order]], codes[imp[order]], prod[order],
                                 v[order], q[order]])
        path = os.path.join(a.out, f"BACI_HS17_Y{y}_V202401.csv")
        with open(path, "w") as f:
            f.write("t,i,j,k,v,q\n")
            np.savetxt(f, table, fmt="%d,%d,%d,%06d,%.3f,%.3f")
        print(f"{path}: {imp.size} rows")


if __name__ == "__main__":
    main()
