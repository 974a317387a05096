"""``Report.to_dataframe()``: pandas is an optional extra (``pip install threatgraph[pandas]``)."""

from __future__ import annotations

from typing import Any, Dict, List

SEVERITIES = ["info", "low", "medium", "high", "critical"]


def threats_frame(columns: Dict[str, List[Any]]) -> Any:
    """One row per threat; severities are ordered categoricals (``df.sort_values("severity")``)."""
    try:
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]
    except ImportError as e:
        raise ImportError(
            "Report.to_dataframe() needs pandas, which is not installed: pip install threatgraph[pandas]"
        ) from e
    frame = pd.DataFrame(columns)
    for name in ("severity", "inherent_severity"):
        frame[name] = pd.Categorical(frame[name], categories=SEVERITIES, ordered=True)
    return frame
