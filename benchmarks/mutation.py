"""Mutation testing of the engine (iso20k_core) with mutmut, against the engine's own tests.

    .venv/bin/python benchmarks/mutation.py [MODULE ...] [--jobs N] [--pending] [--survivors]

MODULE is a module of iso20k_core as mutmut names it: `scoring`, `plan`, `standard.bank`,
`report.render`; without one, every module of the engine (ENGINE_MODULES) is run together,
in one `mutmut run "iso20k_core.<module>.*" ...`. It prints, per module and overall, how
many mutants the tests killed and which survived; `--survivors` also prints each survivor's
diff (`mutmut show`). It prints figures, it is not a test: the exit status is 0 unless mutmut
itself could not run. Slow: the whole engine takes hours on two cores.

The test command is the engine's tests (`tests/core`, `tests/test_bank.py`), without the few
that run the product in another process (the command line, Chromium, LibreOffice): a mutant
lives only in this process, so those cannot kill one and would only cost time.

mutmut reads one `[tool.mutmut]` table from pyproject.toml, and runs in `./mutants`. The
repository's table is for bot/ (run from the root); this script keeps the engine apart: it
copies the sources and tests to `build/mutation/core/` (git ignores build/), writes the
engine's table into that copy's pyproject.toml, and runs the same mutmut there. Files are
copied only when they changed, so mutmut's cache of results and test timings survives
between runs.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "mutation" / "core"
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
# Tests that start the product in another process (no mutant reaches them), and the PDF
# checks, which render for seconds what the Markdown and HTML checks read in milliseconds.
LEFT_OUT_TESTS = ("hash_seed", "chromium", "libreoffice", "another_process", "pdf")
ENGINE_TABLE = f"""
[tool.mutmut]
# Written by benchmarks/mutation.py into its copy of the project: the engine's mutation run.
source_paths = ["iso20k_core"]
pytest_add_cli_args_test_selection = ["tests/core", "tests/test_bank.py"]
pytest_add_cli_args = [
    "-p", "no:cacheprovider",
    "--hypothesis-seed=0",
    "-k", "not ({" or ".join(LEFT_OUT_TESTS)})",
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


def _pyproject() -> str:
    """The repository's pyproject.toml with its mutmut table replaced by the engine's."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", text)
    return text.rstrip() + "\n" + ENGINE_TABLE


def prepare(fresh: bool) -> None:
    if fresh and WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        _sync_tree(ROOT / name, WORK / name)
    pyproject = WORK / "pyproject.toml"
    text = _pyproject()
    if not pyproject.exists() or pyproject.read_text(encoding="utf-8") != text:
        pyproject.write_text(text, encoding="utf-8")


def pending(modules: list[str]) -> list[str]:
    """What is left to run: each module's mutants not yet caught, or the whole module when
    it has no results yet."""
    statuses = _statuses()
    names: list[str] = []
    for module in modules:
        if not statuses.get(module):
            names.append(f"iso20k_core.{module}.*")
            continue
        names += sorted(n for n, s in statuses[module].items() if s not in CAUGHT)
    return names


def run_modules(modules: list[str], jobs: int, only_pending: bool) -> int:
    """One mutmut run for the modules: its set-up (copying, the clean and forced-fail runs)
    happens once, and each mutant's result is saved as soon as it is known."""
    mutmut = Path(sys.executable).with_name("mutmut")
    if only_pending:
        names = pending(modules)
        if not names:
            return 0
    else:
        names = [f"iso20k_core.{module}.*" for module in modules]
    command = [str(mutmut), "run", "--max-children", str(jobs), *names]
    print(" ".join(command[1:4]), f"({len(names)} names or patterns)", flush=True)
    # Property tests run a tenth of their examples (tests/core/helpers.examples).
    env = {**os.environ, "ISO20K_MUTATION": "1"}
    return subprocess.run(command, cwd=WORK, env=env, check=False).returncode


def _statuses() -> dict[str, dict[str, str]]:
    """Mutant name -> status, per module, from mutmut's own records."""
    from mutmut.stats import status_by_exit_code

    found: dict[str, dict[str, str]] = {}
    for meta in sorted((WORK / "mutants" / "iso20k_core").rglob("*.py.meta")):
        relative = meta.relative_to(WORK / "mutants" / "iso20k_core").with_suffix("")
        module = ".".join(relative.with_suffix("").parts)
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes = data.get("exit_code_by_key", {})
        found[module] = {name: status_by_exit_code[code] for name, code in codes.items()}
    return found


def report(modules: list[str], show_survivors: bool) -> None:
    statuses = _statuses()
    print(f"\n{'module':<18} {'mutants':>8} {'killed':>8} {'survived':>9} {'score':>7}")
    total: Counter[str] = Counter()
    survivors: list[str] = []
    for module in modules:
        counts = Counter(statuses.get(module, {}).values())
        if not counts:
            print(f"{module:<18} {'(not run)':>8}")
            continue
        caught = sum(counts[s] for s in CAUGHT)
        mutants = sum(counts.values()) - counts["not checked"]
        total["mutants"] += mutants
        total["caught"] += caught
        score = f"{100 * caught / mutants:.1f} %" if mutants else "-"
        print(f"{module:<18} {mutants:>8} {caught:>8} {mutants - caught:>9} {score:>7}")
        survivors += sorted(
            name
            for name, status in statuses[module].items()
            if status not in CAUGHT and status != "not checked"
        )
    if total["mutants"]:
        score = f"{100 * total['caught'] / total['mutants']:.1f} %"
        print(
            f"{'overall':<18} {total['mutants']:>8} {total['caught']:>8} "
            f"{total['mutants'] - total['caught']:>9} {score:>7}"
        )
    flat = {name: status for per in statuses.values() for name, status in per.items()}
    print(f"\nnot killed ({len(survivors)}):")
    mutmut = Path(sys.executable).with_name("mutmut")
    for name in survivors:
        print(f"  {name}: {flat[name]}")
        if show_survivors:
            shown = subprocess.run(
                [str(mutmut), "show", name],
                cwd=WORK,
                capture_output=True,
                text=True,
                check=False,
            )
            print("    " + shown.stdout.strip().replace("\n", "\n    "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules of iso20k_core (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--survivors", action="store_true", help="print each survivor's diff")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results")
    parser.add_argument(
        "--pending",
        action="store_true",
        help="run only the mutants not caught yet (after adding tests)",
    )
    parser.add_argument("--report", action="store_true", help="only print the last results")
    args = parser.parse_args()
    _check_mutmut()
    modules = args.modules or list(ENGINE_MODULES)
    if not args.report:
        prepare(args.fresh)
    os.chdir(WORK)  # mutmut reads its configuration and records relative to the working folder
    if not args.report and run_modules(modules, args.jobs, args.pending) != 0:
        print("mutmut stopped before the end", file=sys.stderr)
    report(modules, args.survivors)


if __name__ == "__main__":
    main()
