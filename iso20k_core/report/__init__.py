"""Renderings of an evaluation: JSON, Markdown and plain text."""

from iso20k_core.report.render import FORMATS, render

__all__ = ["FORMATS", "render"]
