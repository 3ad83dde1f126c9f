"""Benchmark of the feasibility report: each format and each chart for the largest example.

    .venv/bin/python benchmarks/report.py [--runs R] [--warmup W]

Prints the median (and min/max) wall time of `render_report` as Markdown, HTML and PDF, and of
each chart on its own, for examples/enterprise-iso27001.yaml, and whether the targets are met:
HTML under 0.5 s, PDF under 3 s. The HTML includes its three charts, the PDF includes the
HTML. It prints figures, it is not a test: the exit status is always 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import matplotlib
import weasyprint

from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_input_text
from iso20k_core.report import charts
from iso20k_core.report.document import REPORT_FORMATS, render_report
from iso20k_core.results import Evaluation

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "enterprise-iso27001.yaml"
TODAY = dt.date(2026, 11, 25)

TARGETS_S = {"html": 0.5, "pdf": 3.0}


def timed(work: Callable[[], object], runs: int, warmup: int) -> list[float]:
    """Wall times of `runs` calls after `warmup` untimed ones (fonts and templates load once
    per process: a server pays that at its first report, not at every one)."""
    for _ in range(warmup):
        work()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return times


def row(label: str, times: list[float], size: int) -> str:
    median = statistics.median(times) * 1000
    return (
        f"  {label:<16} median {median:8.1f} ms   min {min(times) * 1000:8.1f} ms   "
        f"max {max(times) * 1000:8.1f} ms   {size / 1024:8.1f} KiB"
    )


def load() -> Evaluation:
    given = parse_input_text(EXAMPLE.read_text(encoding="utf-8"))
    return evaluate(given.profile, given.answers, TODAY, given.bank)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each rendering")
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args(argv)

    e = load()
    print(
        f"iso20k report benchmark  (Python {platform.python_version()}, {platform.machine()}, "
        f"matplotlib {matplotlib.__version__}, WeasyPrint {weasyprint.__version__})"
    )
    print(
        f"{EXAMPLE.relative_to(ROOT)}: {len(e.areas)} areas, {len(e.plan.tasks)} tasks, "
        f"{len(e.risks)} risks; {args.runs} runs after {args.warmup} warm-up"
    )
    print()

    medians: dict[str, float] = {}
    print("report formats")
    for fmt in REPORT_FORMATS:
        size = len(render_report(e, fmt))
        times = timed(functools.partial(render_report, e, fmt), args.runs, args.warmup)
        medians[fmt] = statistics.median(times)
        print(row(fmt, times, size))
    print()

    print("charts")
    for name in charts.CHARTS:
        for image in ("png", "svg"):
            size = len(charts.chart(e, name, image))
            work = functools.partial(charts.chart, e, name, image)
            print(row(f"{name} {image}", timed(work, args.runs, args.warmup), size))
    print()

    print("targets")
    for label, target in TARGETS_S.items():
        verdict = "MET" if medians[label] < target else "MISSED"
        print(f"  {label} under {target:g} s: {verdict} ({medians[label]:.3f} s)")
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception:  # a benchmark reports, it never fails the caller
        traceback.print_exc()
    sys.exit(0)
