"""Paths for the Python module's tests: the source tree (LODESTONE_ROOT) and the CLI built beside
the module (LODESTONE_CLI), both set by the ctest registration (python/CMakeLists.txt)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("LODESTONE_ROOT", Path(__file__).resolve().parents[2]))
CLI = os.environ.get("LODESTONE_CLI", str(ROOT / "build" / "release" / "lodestone"))


def run_cli(*args, cwd=None, check=True):
    """Runs the CLI; returns the completed process (stdout as text)."""
    proc = subprocess.run([CLI, *map(str, args)], cwd=cwd, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"lodestone {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr}")
    return proc


def cli_json(*args, cwd=None):
    return json.loads(run_cli(*args, "--format", "json", cwd=cwd).stdout)


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def ws():
    import lodestone

    return lodestone.Workspace(ROOT)
