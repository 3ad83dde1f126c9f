"""`report` and `export`: the feasibility report and the plan as files.

Rendering takes a moment (a PDF about a second), so chat adapters acknowledge first with a
"being prepared" line; the file then arrives as an attachment of the reply.
"""

from __future__ import annotations

import re
import unicodedata

from bot.dialogs.common import managers_only, not_set_up, verdict_label
from bot.dialogs.context import DialogContext
from bot.dialogs.model import Attachment, Message, Outcome, command
from iso20k_core.language import N_, _
from iso20k_core.report.document import render_report
from iso20k_core.report.exports import EXPORT_MIME, EXPORT_SUFFIX, export
from iso20k_core.text import is_cjk

REPORT_FORMATS = {"pdf": "application/pdf", "html": "text/html", "md": "text/markdown"}
EXPORT_NAMES = {"xlsx": "Excel workbook", "mspdi": "MS Project XML", "ics": "calendar"}
# Each export's heading and file title, whole (the name of a format reads differently inside
# a sentence in other languages).
EXPORT_HEADINGS = {
    "xlsx": (N_("Plan as Excel workbook"), N_("Plan (Excel workbook)")),
    "mspdi": (N_("Plan as MS Project XML"), N_("Plan (MS Project XML)")),
    "ics": (N_("Plan as calendar"), N_("Plan (calendar)")),
}
# What a chat adapter says at once, before the file is ready (translated where it is said:
# bot/dialogs/lanes.py `preparing`).
PREPARING = N_("Preparing your file; it will arrive here in a moment.")


def warm_renderers(state: object) -> None:
    """Worker setup for the slow lane: load what the first report would otherwise load while
    a person waits (WeasyPrint's imports and fonts, matplotlib's font cache)."""
    import io

    from matplotlib.figure import Figure
    from weasyprint import HTML

    HTML(string="<p>iso20k</p>").write_pdf()
    figure = Figure(figsize=(1, 1))
    figure.subplots().set_title("iso20k")
    figure.savefig(io.BytesIO(), format="png")


def _slug(name: str) -> str:
    """A file name's part for the organisation: ASCII letters and digits, and Chinese as
    written (`iso20k-report-深圳市某某科技有限公司-….pdf`: every channel and file system
    takes it); anything else is a dash."""
    typed = unicodedata.normalize("NFKC", name).lower()  # full-width forms as ASCII
    kept = "".join(c if (c.isascii() and c.isalnum()) or is_cjk(c) else "-" for c in typed)
    return re.sub(r"-+", "-", kept).strip("-")[:40] or "organisation"


def report(ctx: DialogContext, args: list[str]) -> Outcome:
    fmt = (args[0].lower() if args else "pdf").lstrip(".")
    if fmt not in REPORT_FORMATS:
        return Outcome(
            reply=Message(_("Which format?"), text=command("report pdf|html|md"), tone="error")
        )
    if not ctx.is_manager:
        return Outcome(reply=managers_only(_("Reports are visible to managers only")))
    evaluation = ctx.evaluation()
    if evaluation is None:
        return Outcome(reply=not_set_up())
    content = render_report(evaluation, fmt)  # type: ignore[arg-type]
    name = f"iso20k-report-{_slug(ctx.organisation.name)}-{evaluation.today}.{fmt}"
    # Who took a copy of the organisation's data is what an auditor asks about first.
    ctx.record("report.exported", {"format": fmt})
    return Outcome(
        reply=Message(
            heading=_("Feasibility report"),
            # Each channel says where the file went (Slack: the app's messages; the console:
            # a folder), so the text does not claim it is "attached".
            text=_("Verdict: {verdict}.", verdict=verdict_label(evaluation.feasibility.verdict)),
            file=Attachment(
                name, content, _("ISO/IEC 20000-1 feasibility report"), REPORT_FORMATS[fmt]
            ),
            tone="success",
        )
    )


def export_plan(ctx: DialogContext, args: list[str]) -> Outcome:
    fmt = args[0].lower() if args else ""
    if fmt not in EXPORT_SUFFIX:
        return Outcome(
            reply=Message(_("Which format?"), text=command("export xlsx|mspdi|ics"), tone="error")
        )
    if fmt != "ics" and not ctx.is_manager:  # the workbook and the project carry costs/effort
        return Outcome(
            reply=managers_only(
                _("Plan exports with costs and effort are visible to managers only")
            )
        )
    evaluation = ctx.evaluation()
    if evaluation is None:
        return Outcome(reply=not_set_up())
    name = f"iso20k-plan-{_slug(ctx.organisation.name)}{EXPORT_SUFFIX[fmt]}"
    heading, title = EXPORT_HEADINGS[fmt]
    content = export(evaluation, fmt)
    ctx.record("plan.exported", {"format": fmt})
    return Outcome(
        reply=Message(
            heading=_(heading),
            text=_("Re-importing an updated calendar updates its events.") if fmt == "ics" else "",
            file=Attachment(name, content, _(title), EXPORT_MIME[fmt]),
            tone="success",
        )
    )
