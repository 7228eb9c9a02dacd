#!/usr/bin/env python3
"""Writes the broken-input corpus (tests/corpus/) from small valid base files: for every table of
the dataset and every importer's format, the structural faults (empty, header only, truncated,
UTF-16, CRLF, bad quoting, huge line, duplicate column) and the value faults (NaN, inf, 1e308,
negative, -0, a bound "<0", a control character, a bad date) at a known line and column.

It writes the case files and, for cases not yet in cases.csv, a row with expectation "?"; the
expectations themselves (the exact error, or expected_after_fix) are kept in cases.csv and are
edited by hand, never regenerated. Run from anywhere: python3 tests/corpus/generate.py
"""
import csv
import io
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MINI = os.path.join(ROOT, "tests", "data", "mini")
HUGE = "@@HUGE@@"  # expanded by the test to 2 MiB of 'x' (keeps the repository small)

# Dataset tables: (file, data line to break, numeric column, text column, date column),
# 1-based columns as the loader reports them; 0 when the table has no such column.
DATASET = [
    ("countries.csv", 2, 2, 3, 0),
    ("minerals.csv", 2, 0, 2, 0),
    ("production.csv", 2, 5, 8, 4),
    ("capacity.csv", 2, 5, 8, 4),
    ("reserves.csv", 2, 4, 7, 3),
    ("shares.csv", 2, 6, 8, 5),
    ("trade.csv", 2, 7, 3, 6),
    ("governance.csv", 2, 3, 9, 2),
    ("groups.csv", 2, 0, 3, 4),
    ("import_sources.csv", 2, 6, 3, 4),
    ("import_reliance.csv", 2, 5, 3, 4),
    ("policies.csv", 2, 0, 12, 7),
    ("headlines.csv", 2, 6, 11, 5),
]
CAPACITY = "mineral,stage,country,year,quantity,unit,source,note\nlithium,refining,CHN,2025,60000,t Li,test_src,\n"

# Importers: (kind, file name the importer reads, base file, delimiter, encoding, line, numeric,
# text, date column).
IMPORTERS = [
    ("usgs-mcs", "MCS2026_Commodities_Data.csv", "fuzz/corpus/fuzz_import_usgs_mcs/lithium.csv", ",", "cp1252", 3, 9, 10, 8),
    ("wgi", "wgi_2023_official_format_semicolon.csv", "fuzz/corpus/fuzz_import_wgi/official.csv", ";", "utf-8", 2, 6, 3, 4),
    ("eu-crm-annex7", "eu_crm_2023_annex7_global_supply_shares_t.csv", "fuzz/corpus/fuzz_import_eu_annex7/global.csv", ",", "utf-8", 2, 4, 3, 0),
    ("baci", "BACI_HS22_Y2022_V202401b.csv", "tests/data/baci/BACI_HS22_Y2022_V202401b_sample.csv", ",", "utf-8", 2, 6, 4, 1),
    ("msp", "msp_membership.csv", "fuzz/corpus/fuzz_import_msp/msp.csv", ",", "utf-8", 2, 0, 9, 4),
    ("us-agreements", "us_critical_mineral_agreements.csv", "sources/curated/us_critical_mineral_agreements.csv", ",", "utf-8", 2, 0, 10, 4),
    ("processing-headlines", "processing_shares.csv", "fuzz/corpus/fuzz_import_processing_headlines/shares.csv", ",", "utf-8", 2, 6, 13, 5),
    ("export-restrictions", "export_restrictions.csv", "fuzz/corpus/fuzz_import_export_restrictions/restrictions.csv", ",", "utf-8", 2, 0, 17, 8),
    ("japan-import-sources", "japan_import_sources.csv", "fuzz/corpus/fuzz_import_japan_import_sources/jpn.csv", ",", "utf-8", 2, 4, 14, 8),
    ("refining-shares", "refining_shares.csv", "sources/curated/refining_shares.csv", ",", "utf-8", 2, 5, 10, 4),
    ("japan-import-reliance", "japan_import_reliance.csv", "sources/curated/japan_import_reliance.csv", ",", "utf-8", 2, 4, 10, 3),
]

NUMERIC = [("nan", "NaN"), ("inf", "inf"), ("huge_value", "1e308"), ("negative", "-5"), ("negative_zero", "-0"),
           ("bound_below_zero", "<0")]


def read_rows(text, delim):
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))


def write_rows(rows, delim):
    out = io.StringIO(newline="")
    w = csv.writer(out, delimiter=delim, lineterminator="\n")
    w.writerows(rows)
    return out.getvalue()


def set_cell(text, delim, line, col, value):
    rows = read_rows(text, delim)
    rows[line - 1][col - 1] = value
    return write_rows(rows, delim)


def structural(text, delim, line, text_col):
    """Cases (name, bytes or str, fault line, fault column)."""
    lines = text.split("\n")
    header = lines[0]
    cases = [("empty", "", 0, 0), ("header_only", header + "\n", 0, 0)]
    body = text.rstrip("\n")
    last = body.split("\n")[-1]
    cut = len(body) - len(last) + max(1, len(last) * 2 // 3)
    cases.append(("truncated", body[:cut], body.count("\n") + 1, 0))
    cases.append(("utf16", b"\xff\xfe" + text.encode("utf-16-le"), 1, 0))
    cases.append(("crlf", text.replace("\n", "\r\n"), 0, 0))
    # An opening quote never closed, in the text cell of the broken line.
    rows = lines[:]
    fields = read_rows(lines[line - 1], delim)[0]
    col = text_col if text_col else len(fields)
    prefix = delim.join(write_rows([fields[: col - 1]], delim).rstrip("\n").split(delim)) if col > 1 else ""
    rest = fields[col - 1:]
    rows[line - 1] = (prefix + delim if col > 1 else "") + '"unterminated' + delim + delim.join(rest[1:])
    cases.append(("bad_quoting", "\n".join(rows), line, col))
    cases.append(("huge_line", set_cell(text, delim, line, col, HUGE), line, col))
    # The first column named twice (header and rows widened).
    rows = read_rows(text, delim)
    rows[0].append(rows[0][0])
    for r in rows[1:]:
        if r:
            r.append(r[0])
    cases.append(("duplicate_column", write_rows(rows, delim), 1, len(rows[0])))
    return cases


def values(text, delim, line, num_col, text_col, date_col):
    cases = []
    if num_col:
        for name, v in NUMERIC:
            cases.append((name, set_cell(text, delim, line, num_col, v), line, num_col))
    if text_col:
        rows = read_rows(text, delim)
        cell = rows[line - 1][text_col - 1]
        cases.append(("control_char", set_cell(text, delim, line, text_col, cell + "\x1b[31m"), line, text_col))
    if date_col:
        rows = read_rows(text, delim)
        cell = rows[line - 1][date_col - 1]
        bad = "2025-13-45" if "-" in cell else "20x5"
        cases.append(("bad_date", set_cell(text, delim, line, date_col, bad), line, date_col))
    return cases


def emit(fmt, target, folder, cases, encoding, manifest):
    os.makedirs(os.path.join(HERE, folder), exist_ok=True)
    for name, content, line, col in cases:
        rel = f"{folder}/{name}{os.path.splitext(target)[1]}"
        data = content if isinstance(content, bytes) else content.encode(encoding)
        with open(os.path.join(HERE, rel), "wb") as f:
            f.write(data)
        manifest.append((fmt, rel, target, line, col))


def main():
    manifest = []
    # The dataset: a copy of tests/data/mini with capacity.csv added, as the base every case edits.
    base = os.path.join(HERE, "dataset", "base")
    if os.path.exists(base):
        shutil.rmtree(base)
    shutil.copytree(MINI, base)
    with open(os.path.join(base, "capacity.csv"), "w", newline="") as f:
        f.write(CAPACITY)
    meta = open(os.path.join(base, "dataset.json")).read()
    meta = meta.replace('"policies.csv": {"rows": 1}', '"policies.csv": {"rows": 1},\n    "capacity.csv": {"rows": 1}')
    with open(os.path.join(base, "dataset.json"), "w", newline="") as f:
        f.write(meta)
    for table, line, num, txt, date in DATASET:
        text = open(os.path.join(base, table), newline="").read()
        cases = [("valid", text, 0, 0)] + structural(text, ",", line, txt) + values(text, ",", line, num, txt, date)
        emit("dataset", table, f"dataset/{table[:-4]}", cases, "utf-8", manifest)
    # dataset.json: the JSON faults.
    j = meta
    jcases = [
        ("empty", "", 0, 0),
        ("truncated", j[: len(j) // 2], 0, 0),
        ("utf16", b"\xff\xfe" + j.encode("utf-16-le"), 0, 0),
        ("crlf", j.replace("\n", "\r\n"), 0, 0),
        ("bad_quoting", j.replace('"name": "mini"', '"name": "mini', 1), 0, 0),
        ("huge_line", j.replace('"description": "', '"description": "' + HUGE, 1), 0, 0),
        ("duplicate_key", j.replace('"name": "mini",', '"name": "mini",\n  "name": "other",', 1), 0, 0),
        ("nan_rows", j.replace('"headlines.csv": {"rows": 1}', '"headlines.csv": {"rows": NaN}'), 0, 0),
        ("huge_rows", j.replace('"headlines.csv": {"rows": 1}', '"headlines.csv": {"rows": 1e308}'), 0, 0),
        ("negative_rows", j.replace('"headlines.csv": {"rows": 1}', '"headlines.csv": {"rows": -1}'), 0, 0),
        ("control_char", j.replace('"Test source"', '"Test \\u001b[31msource"', 1), 0, 0),
        ("bad_date", j.replace('"date": "2026-01-01"', '"date": "2026-13-45"'), 0, 0),
    ]
    emit("dataset", "dataset.json", "dataset/dataset_json", jcases, "utf-8", manifest)
    # Importers.
    for kind, target, src, delim, enc, line, num, txt, date in IMPORTERS:
        text = open(os.path.join(ROOT, src), encoding="latin-1" if enc == "cp1252" else "utf-8", newline="").read()
        cases = [("valid", text, 0, 0)] + structural(text, delim, line, txt) + values(text, delim, line, num, txt, date)
        emit("import:" + kind, target, f"import/{kind}", cases, "latin-1" if enc == "cp1252" else "utf-8", manifest)

    # Keep the expectations already written; add rows for new cases.
    path = os.path.join(HERE, "cases.csv")
    header = ["format", "case", "target", "fault_line", "fault_column", "expect", "file", "line", "column", "message", "status"]
    old = {}
    if os.path.exists(path):
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                old[r["case"]] = r
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for fmt, rel, target, line, col in manifest:
            r = old.get(rel)
            if r:
                w.writerow([r[h] for h in header])
            else:
                w.writerow([fmt, rel, target, line, col, "?", "", "", "", "", ""])
    print(f"generate: {len(manifest)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
