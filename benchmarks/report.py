"""Benchmark of the feasibility report: each format and each chart for the largest example.

    .venv/bin/python benchmarks/report.py [--runs R] [--warmup W] [--locales en,zh-CN]

Prints the median (and min/max) wall time of `render_report` as Markdown, HTML and PDF for
examples/enterprise-iso27001.yaml: cold (the caches of charts and reports emptied before each
run: what the first report of an evaluation costs), the PDF with only its charts kept (what
WeasyPrint alone costs), and repeated (served from the cache for an equal evaluation, as a
repeated `/iso20k report` is); then each chart drawn afresh, the charts `/iso20k plan` and
`/iso20k cost` send when repeated, and the cache key. Targets: cold HTML under 0.5 s and PDF
under 3 s; repeated HTML under 50 ms, PDF under 1.3 s and the plan's Gantt chart under 5 ms.
The cold HTML includes its three charts, the PDF includes the HTML. It prints figures, it is
not a test: the exit status is always 0.

Each language of `--locales` is measured in turn (the same evaluation read in that language;
the Chinese one names the organisation in Chinese as well, so its PDF embeds the CJK font
subset a Chinese reader's report carries), and the sizes of the reports are printed beside
their times.
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
from iso20k_core.language import resolve, using
from iso20k_core.report import charts, document, memo
from iso20k_core.report.document import REPORT_FORMATS, render_report
from iso20k_core.results import Evaluation

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "enterprise-iso27001.yaml"
TODAY = dt.date(2026, 11, 25)

TARGETS_S = {
    "html": 0.5,
    "pdf": 3.0,
    "html repeated": 0.05,
    "pdf repeated": 1.3,
    "gantt repeated": 0.005,
}


def no_reports() -> None:
    document._kept.cache_clear()


def nothing_kept() -> None:
    document._kept.cache_clear()
    charts._kept.cache_clear()


def timed(
    work: Callable[[], object], runs: int, warmup: int, before: Callable[[], None] = lambda: None
) -> list[float]:
    """Wall times of `runs` calls after `warmup` untimed ones (fonts and templates load once
    per process: a server pays that at its first report, not at every one); `before` runs
    untimed before each call."""
    for _ in range(warmup):
        before()
        work()
    times = []
    for _ in range(runs):
        before()
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


CHINESE_NAME = "深圳市某某科技有限公司"


def load(organisation: str | None = None) -> Evaluation:
    given = parse_input_text(EXAMPLE.read_text(encoding="utf-8"))
    profile = given.profile
    if organisation is not None:
        profile = profile.model_copy(update={"organisation": organisation})
    return evaluate(profile, given.answers, TODAY, given.bank)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each rendering")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--locales", default="en,zh-CN", help="languages, comma-separated")
    args = parser.parse_args(argv)
    print(
        f"iso20k report benchmark  (Python {platform.python_version()}, {platform.machine()}, "
        f"matplotlib {matplotlib.__version__}, WeasyPrint {weasyprint.__version__})"
    )
    for tag in args.locales.split(","):
        language = resolve(tag.strip())
        print(f"\n=== {language.tag} ({language.name})")
        with using(language):
            measure(args, None if language.tag == "en" else CHINESE_NAME)
    return 0


def measure(args: argparse.Namespace, organisation: str | None) -> None:
    e = load(organisation)
    print(
        f"{EXAMPLE.relative_to(ROOT)}: {len(e.areas)} areas, {len(e.plan.tasks)} tasks, "
        f"{len(e.risks)} risks; {args.runs} runs after {args.warmup} warm-up"
    )
    print()

    # equal to e, not the same object: each chat command evaluates afresh
    again = load(organisation)
    medians: dict[str, float] = {}
    print("report formats, cold (nothing kept)")
    for fmt in REPORT_FORMATS:
        size = len(render_report(e, fmt))
        work = functools.partial(render_report, e, fmt)
        times = timed(work, args.runs, args.warmup, before=nothing_kept)
        medians[fmt] = statistics.median(times)
        print(row(fmt, times, size))
    # What WeasyPrint alone costs: were it under 1.3 s, keeping the charts would be enough.
    times = timed(functools.partial(render_report, e, "pdf"), args.runs, 0, before=no_reports)
    print(row("pdf, charts kept", times, len(render_report(e, "pdf"))))
    print()

    print("report formats, repeated (kept)")
    for fmt in REPORT_FORMATS:
        work = functools.partial(render_report, again, fmt)
        times = timed(work, args.runs, args.warmup)
        medians[f"{fmt} repeated"] = statistics.median(times)
        print(row(fmt, times, len(work())))
    print()

    print("charts drawn afresh")
    for name in charts.CHARTS:
        for image in ("png", "svg"):
            size = len(charts.draw(e, name, image))
            work = functools.partial(charts.draw, e, name, image)
            print(row(f"{name} {image}", timed(work, args.runs, args.warmup), size))
    print()

    print("charts repeated (kept), as /iso20k plan and cost send them")
    plan_and_cost: dict[str, Callable[[], bytes]] = {
        "gantt": functools.partial(charts.gantt_png, again),
        "gantt_members": functools.partial(charts.gantt_png, again, with_tasks=False),
        "cost": functools.partial(charts.cost_png, again),
    }
    for label, kept in plan_and_cost.items():
        times = timed(kept, args.runs * 20, args.warmup)
        medians[f"{label} repeated"] = statistics.median(times)
        print(row(f"{label} png", times, len(kept())))
    key = timed(functools.partial(memo.key, again), args.runs * 20, args.warmup)
    print(row("the cache key", key, len(memo.fingerprint(again))))
    print()

    print("targets")
    for label, target in TARGETS_S.items():
        verdict = "MET" if medians[label] < target else "MISSED"
        print(f"  {label} under {target * 1000:g} ms: {verdict} ({medians[label] * 1000:.1f} ms)")


if __name__ == "__main__":
    try:
        main()
    except Exception:  # a benchmark reports, it never fails the caller
        traceback.print_exc()
    sys.exit(0)
