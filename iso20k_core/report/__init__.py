"""Renderings of an evaluation: the summary (text, Markdown, JSON), the feasibility report
(Markdown, HTML, PDF) with its charts, and the plan exports (xlsx, MSPDI, ICS)."""

from iso20k_core.report.render import FORMATS, render

__all__ = ["FORMATS", "render"]
