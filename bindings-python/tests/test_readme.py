"""Every Python block of bindings-python/README.md runs (from the repository root)."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT

README = ROOT / "bindings-python" / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_block(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(code, str(README), "exec"), {"__name__": "readme"})
