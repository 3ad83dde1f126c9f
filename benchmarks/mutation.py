"""Mutation testing with mutmut: the engine (iso20k_core) against the engine's own tests, the
report and exports (iso20k_core/report) against the same tests with the rendering ones, or
the bot's dialogs, outbox and Slack adapter (bot/) against the bot's tests.

    .venv/bin/python benchmarks/mutation.py [MODULE ...] [--jobs N] [--pending] [--survivors]
    .venv/bin/python benchmarks/mutation.py --report-files [MODULE ...] [...]
    .venv/bin/python benchmarks/mutation.py --bot [MODULE ...] [...]

MODULE is a module as mutmut names it, without its package: `scoring`, `plan`,
`standard.bank` for the engine, `report.render`, `report.exports.ics` for the report and
the exports, `dialogs.remind`, `reminders.outbox`, `slack.guard` with `--bot`; without
one, every module of the target (ENGINE_MODULES, REPORT_MODULES, BOT_MODULES) is run
together, in one `mutmut run "<package>.<module>.*" ...`. It prints, per module and overall,
how many mutants the tests killed and which survived; `--survivors` also prints each
survivor's diff (`mutmut show`). It prints figures, it is not a test: the exit status is 0
unless mutmut itself could not run. Slow: each target takes hours on two cores.

The engine's test command is its tests (`tests/core`, `tests/test_bank.py`), without the few
that run the product in another process (the command line, Chromium, LibreOffice): a mutant
lives only in this process, so those cannot kill one and would only cost time.

mutmut reads one `[tool.mutmut]` table from pyproject.toml, and runs in `./mutants`. The
repository's table is for bot/ (`--bot` runs it from the root, in `./mutants`, with the
tests that table selects); the engine is kept apart: the script copies the sources and
tests to `build/mutation/core/` (the report's run to `build/mutation/report/`; git ignores
build/), writes the engine's table into that copy's pyproject.toml, and runs the same
mutmut there. Files are
copied only when they changed, so mutmut's cache of results and test timings survives
between runs; when a test file changed, mutmut maps the tests to the code afresh.
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE_WORK = ROOT / "build" / "mutation" / "core"
REPORT_WORK = ROOT / "build" / "mutation" / "report"
MUTMUT_VERSION = "3.8.1"  # the version bot/'s configuration pins: one tool, one behaviour
COPIED = ("iso20k_core", "tests", "examples")
ENGINE_MODULES = (
    "figures",
    "errors",
    "dates",
    "text",
    "audit",
    "answers",
    "scoring",
    "calendar",
    "plan",
    "costs",
    "risks",
    "profile",
    "inputs",
    "places",
    "assumptions",
    "evaluate",
    "results",
    "standard.bank",
)
# The report and the exports, made from an evaluation: a run of their own (`--report-files`),
# with the rendering tests the engine's run leaves out (tests/core/conftest.py).
REPORT_MODULES = (
    "report.render",
    "report.document",
    "report.exports",
    "report.exports.ics",
    "report.exports.xlsx",
    "report.exports.mspdi",
    "report.charts",
    "report.memo",
)
# The modules of bot/ that pyproject.toml's table mutates (its only_mutate), one by one.
BOT_MODULES = (
    "dialogs.assess",
    "dialogs.audit",
    "dialogs.background",
    "dialogs.commands",
    "dialogs.common",
    "dialogs.context",
    "dialogs.files",
    "dialogs.lanes",
    "dialogs.model",
    "dialogs.remind",
    "dialogs.reports",
    "dialogs.setup",
    "dialogs.team",
    "dialogs.validation",
    "dialogs.worker",
    "reminders.outbox",
    "reminders.dispatch",
    "slack.app",
    "slack.blocks",
    "slack.deps",
    "slack.directory",
    "slack.guard",
    "slack.listeners.actions",
    "slack.listeners.commands",
    "slack.listeners.events",
    "slack.listeners.views",
    "slack.reminder_channel",
    "slack.sender",
    "slack.tenant",
    "slack.unavailable",
)
# Tests that start the product in another process (no mutant reaches them), and, in the
# engine's run, the PDF checks, which render for seconds what the Markdown and HTML checks
# read in milliseconds (the report's run keeps them: the PDF's own code has no other test).
IN_ANOTHER_PROCESS = ("hash_seed", "chromium", "libreoffice", "another_process")
TABLE = """
[tool.mutmut]
# Written by benchmarks/mutation.py into its copy of the project: the engine's or the report's run.
source_paths = ["iso20k_core"]
pytest_add_cli_args_test_selection = ["tests/core", "tests/test_bank.py"]
pytest_add_cli_args = [
    "-p", "no:cacheprovider",
    "--hypothesis-seed=0",
    "-k", "not ({left_out})",
]
also_copy = ["examples"]
# Slow machines are noisy: a mutant is a timeout only when it runs far past the clean time.
timeout_multiplier = 20.0
timeout_constant = 5.0
"""
# Kill counts as caught: a test failed, the run timed out (an endless loop is found), or
# the type checker refused it. "no tests": no test of the selection runs the line.
CAUGHT = {"killed", "timeout", "caught by type check"}


def _check_mutmut() -> None:
    try:
        from importlib.metadata import version

        found = version("mutmut")
    except Exception:
        found = None
    if found != MUTMUT_VERSION:
        print(
            f"needs mutmut {MUTMUT_VERSION} (found {found}): "
            f".venv/bin/pip install mutmut=={MUTMUT_VERSION}",
            file=sys.stderr,
        )
        sys.exit(2)


def _sync_tree(source: Path, target: Path) -> None:
    """Make `target` a copy of `source`, touching only what differs (keeps mtimes)."""
    skip = {"__pycache__", ".hypothesis", ".pytest_cache"}
    wanted: set[Path] = set()
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if skip & set(relative.parts) or path.suffix == ".pyc":
            continue
        wanted.add(relative)
        copy = target / relative
        if path.is_dir():
            copy.mkdir(parents=True, exist_ok=True)
        elif not copy.exists() or not filecmp.cmp(path, copy, shallow=False):
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
    if target.exists():
        for path in sorted(target.rglob("*"), reverse=True):
            relative = path.relative_to(target)
            if relative not in wanted and not (skip & set(relative.parts)):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()


def _pyproject(left_out: tuple[str, ...]) -> str:
    """The repository's pyproject.toml with its mutmut table replaced by the engine's."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", text)
    return text.rstrip() + "\n" + TABLE.format(left_out=" or ".join(left_out))


@dataclass(frozen=True)
class Target:
    """What one mutation run mutates: a package, the folder mutmut runs in, its modules."""

    package: str
    work: Path
    modules: tuple[str, ...]
    # ISO20K_MUTATION in the tests' environment: "engine" leaves the rendering tests out.
    mutation: str
    left_out: tuple[str, ...] = ()  # words of test names the run deselects


ENGINE = Target("iso20k_core", ENGINE_WORK, ENGINE_MODULES, "engine", (*IN_ANOTHER_PROCESS, "pdf"))
REPORT = Target("iso20k_core", REPORT_WORK, REPORT_MODULES, "report", IN_ANOTHER_PROCESS)
BOT = Target("bot", ROOT, BOT_MODULES, "bot")  # the repository's own [tool.mutmut] table


def prepare_copy(target: Target, fresh: bool) -> None:
    """The engine's sources and tests copied to the target's folder, with its mutmut table."""
    work = target.work
    if fresh and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        _sync_tree(ROOT / name, work / name)
    pyproject = work / "pyproject.toml"
    text = _pyproject(target.left_out)
    if not pyproject.exists() or pyproject.read_text(encoding="utf-8") != text:
        pyproject.write_text(text, encoding="utf-8")


def forget_stale_test_map(target: Target) -> None:
    """mutmut maps each test to the functions it reaches once, and later maps only tests it
    has not seen: a changed test or fixture (a cache that now empties, a new assertion on
    an old path) would keep its old map, and the mutants of the code it now reaches would
    run without it. The map is dropped whenever a test file differs from the last run's."""
    tests = target.work / "tests"
    digest = hashlib.sha256()
    for path in sorted(tests.rglob("*.py")):
        digest.update(str(path.relative_to(tests)).encode() + b"\0" + path.read_bytes())
    mutants = target.work / "mutants"
    seen = mutants / "tests.sha256"
    if seen.exists() and seen.read_text(encoding="utf-8") == digest.hexdigest():
        return
    (mutants / "mutmut-stats.json").unlink(missing_ok=True)
    mutants.mkdir(parents=True, exist_ok=True)
    seen.write_text(digest.hexdigest(), encoding="utf-8")


def pending(target: Target, modules: list[str], unrun: bool = True) -> list[str]:
    """What is left to run: each module's mutants not yet caught (with `unrun`, also those
    not run yet, and the whole module when it has no results yet)."""
    statuses = _statuses(target)
    names: list[str] = []
    for module in modules:
        if not statuses.get(module):
            names += [f"{target.package}.{module}.*"] if unrun else []
            continue
        names += sorted(
            n
            for n, s in statuses[module].items()
            if s not in CAUGHT and (unrun or s != "not checked")
        )
    return names


def sample(target: Target, modules: list[str], share: float) -> list[str]:
    """Mutants to run so that each module has results for at least `share` of its mutants
    (and at least five), drawn at random but the same each time: a score estimated in an
    hour where the whole run would take a day. Needs mutmut to have generated the mutants
    (any earlier run of the target)."""
    statuses = _statuses(target)
    names: list[str] = []
    for module in modules:
        found = statuses.get(module, {})
        waiting = sorted(n for n, s in found.items() if s == "not checked")
        wanted = min(len(found), max(math.ceil(share * len(found)), 5))
        missing = wanted - (len(found) - len(waiting))
        if missing > 0:
            names += random.Random(f"iso20k:{module}").sample(waiting, missing)
    return names


def mutants_to_run(target: Target, modules: list[str], args: argparse.Namespace) -> list[str]:
    """The names or patterns mutmut is to run: a sample, what is not caught yet (`--retry`:
    only the survivors), or every mutant of the modules."""
    if args.sample is not None:
        return sample(target, modules, args.sample)
    if args.retry or args.pending:
        return pending(target, modules, unrun=args.pending)
    return [f"{target.package}.{module}.*" for module in modules]


def run_modules(target: Target, names: list[str], jobs: int) -> int:
    """One mutmut run for the names: its set-up (copying, the clean and forced-fail runs)
    happens once, and each mutant's result is saved as soon as it is known."""
    if not names:
        return 0
    mutmut = Path(sys.executable).with_name("mutmut")
    command = [str(mutmut), "run", "--max-children", str(jobs), *names]
    print(" ".join(command[1:4]), f"({len(names)} names or patterns)", flush=True)
    # Property tests run a tenth of their examples (tests/core/helpers.examples).
    env = {**os.environ, "ISO20K_MUTATION": target.mutation}
    return subprocess.run(command, cwd=target.work, env=env, check=False).returncode


def _statuses(target: Target) -> dict[str, dict[str, str]]:
    """Mutant name -> status, per module, from mutmut's own records."""
    from mutmut.stats import status_by_exit_code

    found: dict[str, dict[str, str]] = {}
    records = target.work / "mutants" / target.package
    for meta in sorted(records.rglob("*.py.meta")):
        parts = meta.relative_to(records).with_suffix("").with_suffix("").parts
        # A package's own module (exports/__init__.py) is named as the package, as mutmut does.
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes = data.get("exit_code_by_key", {})
        found[module] = {name: status_by_exit_code[code] for name, code in codes.items()}
    return found


def report(target: Target, modules: list[str], show_survivors: bool) -> None:
    """Per module: mutants with a result, caught (of which mypy refused), not killed, the
    score, and how many are still to run (an interrupted run shows them)."""
    statuses = _statuses(target)
    print(
        f"\n{'module':<26} {'mutants':>8} {'caught':>8} {'by mypy':>8} {'survived':>9} "
        f"{'score':>7} {'to run':>7}"
    )
    total: Counter[str] = Counter()
    survivors: list[str] = []
    estimated = weighed = 0.0

    def row(name: str, mutants: int, caught: int, typed: int, waiting: int) -> None:
        score = f"{100 * caught / mutants:.1f} %" if mutants else "-"
        print(
            f"{name:<26} {mutants:>8} {caught:>8} {typed:>8} {mutants - caught:>9} "
            f"{score:>7} {waiting:>7}"
        )

    for module in modules:
        counts = Counter(statuses.get(module, {}).values())
        if not counts:
            print(f"{module:<26} {'(not run)':>8}")
            continue
        caught = sum(counts[s] for s in CAUGHT)
        mutants = sum(counts.values()) - counts["not checked"]
        typed = counts["caught by type check"]
        total.update(mutants=mutants, caught=caught, typed=typed, waiting=counts["not checked"])
        if mutants:  # each module's score stands for all of its mutants
            everyone = mutants + counts["not checked"]
            estimated += everyone * caught / mutants
            weighed += everyone
        row(module, mutants, caught, typed, counts["not checked"])
        survivors += sorted(
            name
            for name, status in statuses[module].items()
            if status not in CAUGHT and status != "not checked"
        )
    if total["mutants"]:
        row("overall", total["mutants"], total["caught"], total["typed"], total["waiting"])
    if total["waiting"] and weighed:
        # A sampled run: the modules' scores weighed by their sizes, the sample's margin.
        share = estimated / weighed
        margin = 1.96 * math.sqrt(share * (1 - share) / total["mutants"])
        print(
            f"estimated over the {weighed:,.0f} mutants of the modules run: "
            f"{100 * share:.1f} % (± {100 * margin:.1f} points, 95 %)"
        )
    flat = {name: status for per in statuses.values() for name, status in per.items()}
    print(f"\nnot killed ({len(survivors)}):")
    mutmut = Path(sys.executable).with_name("mutmut")
    for name in survivors:
        print(f"  {name}: {flat[name]}")
        if show_survivors:
            shown = subprocess.run(
                [str(mutmut), "show", name],
                cwd=target.work,
                capture_output=True,
                text=True,
                check=False,
            )
            print("    " + shown.stdout.strip().replace("\n", "\n    "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules of the target (default: all)")
    parser.add_argument("--bot", action="store_true", help="mutate bot/ instead of the engine")
    parser.add_argument(
        "--report-files",
        action="store_true",
        help="mutate the report and the exports (iso20k_core/report) instead of the engine",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--survivors", action="store_true", help="print each survivor's diff")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results")
    parser.add_argument(
        "--pending",
        action="store_true",
        help="run only the mutants not caught yet, or not run yet (an interrupted run)",
    )
    parser.add_argument(
        "--retry",
        action="store_true",
        help="run again only the mutants that survived (after adding tests)",
    )
    parser.add_argument(
        "--sample",
        type=float,
        metavar="SHARE",
        help="run a random share (0-1) of each module's mutants, e.g. 0.1, to estimate",
    )
    parser.add_argument("--report", action="store_true", help="only print the last results")
    args = parser.parse_args()
    _check_mutmut()
    target = BOT if args.bot else REPORT if args.report_files else ENGINE
    modules = args.modules or list(target.modules)
    if not args.report and target is not BOT:
        prepare_copy(target, args.fresh)
    elif args.fresh and (target.work / "mutants").exists():
        shutil.rmtree(target.work / "mutants")
    if not args.report:
        forget_stale_test_map(target)
    # mutmut reads its configuration and records relative to the working folder
    os.chdir(target.work)
    if (
        not args.report
        and run_modules(target, mutants_to_run(target, modules, args), args.jobs) != 0
    ):
        print("mutmut stopped before the end", file=sys.stderr)
    report(target, modules, args.survivors)


if __name__ == "__main__":
    main()
