"""The Python module gives the CLI's figures: each call's result, turned back into the CLI's
records, equals the CLI's JSON for the same inputs; Monte Carlo gives the same bytes; errors come
as exceptions by kind with file and line; a long Monte Carlo stops on Ctrl-C without leaving
threads behind."""

import json
import math
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

import lodestone
from conftest import CLI, ROOT, cli_json, run_cli


def back_to_records(obj, like):
    """A module result with each table of columns turned back into the CLI's list of records,
    walking the CLI's JSON `like` alongside to know where tables are."""
    if isinstance(like, list) and isinstance(obj, dict):
        return lodestone.records(obj)
    if isinstance(obj, dict) and isinstance(like, dict):
        return {k: back_to_records(v, like.get(k)) for k, v in obj.items()}
    if isinstance(obj, list) and isinstance(like, list) and len(obj) == len(like):
        return [back_to_records(v, w) for v, w in zip(obj, like)]
    return obj


def same(result, cli):
    assert back_to_records(result, cli) == cli


def test_risk_table_equals_cli_and_is_a_dataframe(ws):
    res = ws.risk(["lithium", "cobalt"])
    cli = cli_json("risk", "--mineral", "lithium,cobalt")
    rows = res["rows"]
    assert isinstance(rows["value"], np.ndarray) and rows["value"].dtype == np.float64
    assert lodestone.records(rows) == cli["rows"]
    same(res, cli)
    df = pd.DataFrame(rows)
    assert len(df) == len(cli["rows"]) and set(df["mineral"]) == {"lithium", "cobalt"}
    # A missing figure is NaN in the array and null in the CLI, never 0.
    missing = [i for i, r in enumerate(cli["rows"]) if r["value"] is None]
    assert all(math.isnan(rows["value"][i]) for i in missing)


@pytest.mark.parametrize("method", ["concentration", "eu-crm", "geopolrisk", "import-reliance"])
def test_each_risk_method_equals_cli(ws, method):
    res = ws.risk(["graphite"], method=method, consumer="USA")
    cli = cli_json("risk", "--mineral", "graphite", "--method", method, "--consumer", "USA")
    same(res, cli)


def test_supply_and_info_equal_cli(ws):
    same(ws.supply(["gallium", "lithium"]), cli_json("supply", "--mineral", "gallium,lithium"))
    same(ws.info(), cli_json("data", "info", ROOT / "data" / "starter"))


def test_scenario_and_flows_equal_cli(ws):
    scenario = ROOT / "scenarios" / "cn-2025-10-ree-controls.json"
    cli = cli_json("simulate", "--scenario", scenario)
    same(ws.simulate(scenario), cli)
    flows = ws.flows(scenario)
    df = pd.DataFrame(flows["rows"])
    assert list(df["consumer"]) == [r["consumer"] for r in cli["rows"]]
    assert ws.simulate(scenario, text=True) == run_cli("simulate", "--scenario", scenario, "--format", "json").stdout
    # The default: both October 2025 scenarios.
    same(ws.simulate(), cli_json("simulate"))


def test_outlook_equals_cli(ws):
    res = ws.outlook("lithium", runs=200)
    same(res, cli_json("outlook", "lithium", "--runs", "200"))


def test_project_evaluation_and_portfolio_equal_cli(ws, tmp_path):
    projects = ROOT / "data" / "projects" / "projects.csv"
    stack = ROOT / "data" / "projects" / "capital_stack.csv"
    src = ["--projects", projects, "--stack", stack, "--runs", "200", "--threads", "2"]
    ev = ws.evaluate_project("mp_10x", projects_csv=projects, stack_csv=stack, runs=200, threads=2)
    same(ev, cli_json("projects", "evaluate", "mp_10x", *src, cwd=tmp_path))
    plan = ws.portfolio(us=500, jp=300, projects_csv=projects, stack_csv=stack, runs=200, threads=2)
    cli = cli_json("portfolio", "optimise", "--budget-us", "500", "--budget-jp", "300", *src, cwd=tmp_path)
    same(plan, cli)


def test_monte_carlo_same_bytes_as_cli_whatever_the_threads(ws):
    cli = run_cli("simulate", "--register", ROOT / "scenarios" / "register.json", "--runs", "5000", "--seed", "7",
                  "--threads", "2", "--format", "json").stdout
    assert ws.monte_carlo(runs=5000, seed=7, threads=1, text=True) == cli
    assert ws.monte_carlo(runs=5000, seed=7, threads=2, text=True) == cli
    res = ws.monte_carlo(runs=5000, seed=7)
    same(res, json.loads(cli))
    assert ws.monte_carlo(runs=5000, seed=8, text=True) != cli


def test_errors_are_exceptions_by_kind(ws, tmp_path):
    with pytest.raises(lodestone.InvalidRequest) as e:
        ws.risk(["lithium"], method="astrology")
    assert e.value.kind == "invalid_request"
    with pytest.raises(lodestone.NotFound):
        ws.simulate(tmp_path / "no-such-scenario.json")
    with pytest.raises(lodestone.InvalidRequest):
        ws.monte_carlo(runs=100, sector_rule="first-come")
    assert issubclass(lodestone.InvalidData, lodestone.Error)

    # A dataset with a bad figure: InvalidData naming the file and line, as the CLI does.
    bad = tmp_path / "bad"
    shutil.copytree(ROOT / "data" / "starter", bad)
    lines = (bad / "production.csv").read_text().splitlines(keepends=True)
    fields = lines[2].split(",")
    fields[4] = "lots"
    lines[2] = ",".join(fields)
    (bad / "production.csv").write_text("".join(lines))
    broken = lodestone.Workspace(ROOT, dataset=bad)
    with pytest.raises(lodestone.InvalidData) as e:
        broken.risk(["lithium"])
    where = [(d["file"], d["line"]) for d in e.value.diagnostics if d["severity"] == "error"]
    assert any(f.endswith("production.csv") and line == 3 for f, line in where), where
    assert "production.csv:3:" in str(e.value)
    cli = run_cli("risk", "--dataset", bad, "--mineral", "lithium", check=False)
    assert cli.returncode == 3 and "production.csv:3:" in cli.stderr


def test_long_monte_carlo_stops_on_keyboard_interrupt_without_leaving_threads():
    # In a child interpreter, so that the interrupt cannot reach the test runner.
    script = textwrap.dedent(f"""
        import os, signal, threading, time
        import lodestone
        ws = lodestone.Workspace({str(ROOT)!r})
        small = ws.monte_carlo(runs=2048, seed=3, threads=2, text=True)
        before = len(os.listdir("/proc/self/task"))
        timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        start = time.monotonic()
        try:
            ws.monte_carlo(runs=50_000_000, seed=3, threads=2)
            print("finished")
        except KeyboardInterrupt:
            print("interrupted after", round(time.monotonic() - start, 2))
        timer.join()
        time.sleep(0.2)
        after = len(os.listdir("/proc/self/task"))
        print("threads", before, after)
        print("again", ws.monte_carlo(runs=2048, seed=3, threads=2, text=True) == small)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr
    assert "interrupted after" in out, out
    seconds = float(out.split("interrupted after")[1].split()[0])
    assert seconds < 60, out  # 50 million scenarios would take far longer
    before, after = (int(x) for x in out.split("threads")[1].split()[:2])
    assert after <= before, out
    assert "again True" in out
