"""Benchmark of the exports: Excel, MS Project XML and iCalendar of the examples.

    .venv/bin/python benchmarks/exports.py [--runs R] [--warmup W]

Prints the median, p95 and size of each export of the largest organisation
(examples/enterprise-iso27001.yaml), then of the other examples (the small department has
the longest plan: the most tasks and timeline weeks), and whether each median is under the
0.5 s target (a chat command answers with the file). It prints figures, it is not a test: the
exit status is always 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import platform
import statistics
import sys
import time
import traceback
from pathlib import Path

from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_input_text
from iso20k_core.report.exports import FORMATS, ExportFormat, export
from iso20k_core.results import Evaluation

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "enterprise-iso27001.yaml"
TODAY = dt.date(2026, 11, 25)
TARGET_MEDIAN_S = 0.5


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(max(math.ceil(share * len(ordered)) - 1, 0), len(ordered) - 1)]


def time_export(evaluation: Evaluation, fmt: ExportFormat, runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):  # the first call also imports openpyxl or icalendar
        export(evaluation, fmt)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        export(evaluation, fmt)
        times.append(time.perf_counter() - began)
    return times


def report(evaluation: Evaluation, path: Path, args: argparse.Namespace) -> None:
    plan = evaluation.plan
    print()
    print(
        f"{path.relative_to(ROOT)}: {len(plan.stages)} stages, {len(plan.tasks)} tasks, "
        f"{len(plan.milestones)} milestones, {len(plan.audit_batches)} audit batches"
    )
    print(f"  {'format':<8}{'median':>12}{'p95':>12}{'size':>12}   target")
    for fmt in FORMATS:
        times = time_export(evaluation, fmt, args.runs, args.warmup)
        median = statistics.median(times)
        size = len(export(evaluation, fmt))
        verdict = "MET" if median < TARGET_MEDIAN_S else "MISSED"
        print(
            f"  {fmt:<8}{median * 1000:>9.2f} ms{percentile(times, 0.95) * 1000:>9.2f} ms"
            f"{size / 1024:>9.1f} KiB   {verdict}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args(argv)

    print(f"iso20k export benchmark  (Python {platform.python_version()}, {platform.machine()})")
    print(f"runs {args.runs} after {args.warmup} warm-up; target: median under {TARGET_MEDIAN_S} s")
    others = sorted(p for p in EXAMPLE.parent.glob("*.yaml") if p != EXAMPLE)
    for path in (EXAMPLE, *others):
        given = parse_input_text(path.read_text(encoding="utf-8"))
        report(evaluate(given.profile, given.answers, TODAY, given.bank), path, args)
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception:  # a benchmark reports, it never fails the caller
        traceback.print_exc()
    sys.exit(0)
