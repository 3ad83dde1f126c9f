"""The key under which charts and reports are kept, and how many are kept.

The engine is deterministic (the same inputs give the same evaluation, and the same evaluation
the same bytes: README "Architecture"), so a chart or a report drawn once can be served again
for an equal evaluation: repeating `/iso20k plan` or `/iso20k report` is near-instant instead
of drawing the Gantt chart again (about 0.15 s) or laying out the PDF (1.5 s). The caches are
`functools.lru_cache`s in charts.py and document.py, bounded by the sizes below, one set per
process; tests/core/conftest.py finds and clears them in mutation runs.

The key is the whole evaluation, not the parts a chart reads: a renderer that came to read
one more field would otherwise be served stale bytes, and a repeated command evaluates the
same inputs to the same evaluation anyway. It is the evaluation's fingerprint, not the
`Evaluation` itself. It is hashable (frozen,
tuples all the way down: about 0.03 ms to hash, 0.1 ms to compare equal copies), but its `==`
takes -0.0 for 0.0 and `figures.level` writes them apart ("-0.0"), so two evaluations that
print differently could share an entry. The fingerprint is the evaluation's values as JSON
with infinities and NaN spelt out (the model's own JSON writes them as `null`, like None).
Every field is typed, so equal fingerprints mean the same values everywhere a renderer looks:
an int stays apart from a float, -0.0 from 0.0, a date from None. It takes about 0.16 ms for
the largest example. The engine's text never holds a surrogate (`text.clean_text` refuses
them), which JSON could not write; neither could the HTML and PDF writers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pydantic_core

from iso20k_core.language import active
from iso20k_core.results import Evaluation

# Bounds, in entries; the least recently used goes first. Measured on the examples: a chart
# is 43-195 KiB (the Gantt chart with 28 tasks the largest), a report up to 35 KiB as
# Markdown, 620 KiB as HTML and 760 KiB as PDF; each key holds 25-36 KiB of JSON and the
# evaluation it was made from (about 180 KiB, shared by the entries made from it). At most
# about 13 MiB of charts and 8 MiB of reports per process, usually half that: the plan,
# members' plan, cost and maturity charts of eight organisations and their last reports.
CHARTS_KEPT = 32
REPORTS_KEPT = 8


def fingerprint(e: Evaluation) -> bytes:
    """The evaluation's values as JSON, with infinities and NaN written as such."""
    return pydantic_core.to_json(e.model_dump(), inf_nan_mode="constants")


@dataclass(frozen=True)
class EvaluationKey:
    """An evaluation as a cache key: equal and hashed by its fingerprint alone, carrying the
    evaluation so that a miss can render it."""

    fingerprint: bytes
    evaluation: Evaluation = field(compare=False, repr=False)


def key(e: Evaluation) -> EvaluationKey:
    """The key of `e` as rendered now: a chart's labels and a report's words are written in
    the active language, so the same evaluation read in another language is another entry."""
    return EvaluationKey(active().tag.encode() + b"\0" + fingerprint(e), e)
