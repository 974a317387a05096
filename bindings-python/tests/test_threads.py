"""One Engine shared by threads; the GIL is released while the core works."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List

import threatgraph
from conftest import EXAMPLES, build_shop


def test_one_engine_many_threads(engine: threatgraph.Engine) -> None:
    models = [threatgraph.load(EXAMPLES / f"{n}.yaml") for n in ("webshop", "patient-portal", "saas-platform")]
    models.append(build_shop())
    expected = [engine.analyze(m).to_json() for m in models]

    def work(i: int) -> List[str]:
        return [engine.analyze(models[(i + k) % len(models)]).to_json() for k in range(len(models))]

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(work, range(12)))
    for i, got in enumerate(results):
        assert got == [expected[(i + k) % len(models)] for k in range(len(models))]


def test_engines_built_in_threads() -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        engines = list(pool.map(lambda _: threatgraph.Engine(), range(8)))
    model = build_shop()
    assert len({e.analyze(model).to_json() for e in engines}) == 1


def big_model(n: int) -> threatgraph.Model:
    m = threatgraph.Model("Big")
    m.zone("internet", kind="internet")
    m.zone("app", kind="internal")
    m.data_asset("pii", classification="confidential", tags=["pii"])
    for i in range(n):
        m.component(f"b{i}", type="browser", zone="internet")
        m.component(f"w{i}", type="web_app", zone="app", flags=["custom_code"], controls=[])
        m.component(f"d{i}", type="database", zone="app", stores=["pii"])
        m.flow(f"b{i}", f"w{i}", protocol="http", data=["pii"])
        m.flow(f"w{i}", f"d{i}", protocol="postgres", data=["pii"])
    return m


def test_gil_is_released_during_analysis(engine: threatgraph.Engine) -> None:
    # A model whose analysis takes long enough to tell, on however fast a machine.
    n = 700
    while True:
        core = big_model(n)._core_model()
        t0 = time.perf_counter()
        engine.analyze(core)
        if time.perf_counter() - t0 >= 0.15 or n >= 25_600:
            break
        n *= 2
    ticks = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        time.sleep(0.05)
        t0, k0 = time.perf_counter(), ticks
        time.sleep(0.1)
        rate = (ticks - k0) / (time.perf_counter() - t0)  # ticks per second while the main thread sleeps
        t0, k0 = time.perf_counter(), ticks
        engine.analyze(core)
        elapsed, during = time.perf_counter() - t0, ticks - k0
    finally:
        stop.set()
        spinner.join()
    # Holding the GIL, the spinner would get at most a switch interval (5 ms) at each end.
    assert elapsed > 0.05, f"analysis too short to tell ({elapsed:.3f} s)"
    assert during > 0.1 * rate * elapsed, (during, rate, elapsed)
