"""The stubs match the native module (mypy.stubtest) and the package type-checks strictly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")


def run(args: list[str], cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_stubtest(tmp_path: Path) -> None:
    run(["mypy.stubtest", "threatgraph._threatgraph"], tmp_path)


def test_package_and_usage_typecheck(tmp_path: Path) -> None:
    usage = tmp_path / "usage.py"
    usage.write_text(
        """
import threatgraph

m = threatgraph.Model("Typed")
z = m.zone("app", kind="internal")
web = m.component("web", type="web_app", zone=z, controls=["waf"])
db = m.component("db", type="database", zone=z)
f: threatgraph.Flow = m.flow(web, db, protocol="postgres")
report: threatgraph.Report = threatgraph.Engine().analyze(m)
severities: list[str] = [t.severity for t in report.threats]
residual: int = report.threats[0].likelihood["residual"]
count: int = report.summary["by_severity"]["critical"]
try:
    threatgraph.Model.from_yaml("x: [")
except threatgraph.ModelError as e:
    codes: list[str] = [d["code"] for d in e.details]
""",
        encoding="utf-8",
    )
    run(["mypy", "--strict", "--no-incremental", "-p", "threatgraph"], tmp_path)
    run(["mypy", "--strict", "--no-incremental", str(usage)], tmp_path)
