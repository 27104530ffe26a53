"""Formatters: each turns a ``CheckResult`` into text. They decide nothing."""
from __future__ import annotations

from .github import format_github, format_step_summary
from .json import format_json
from .text import format_text

FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}

__all__ = ["FORMATTERS", "format_github", "format_json", "format_step_summary", "format_text"]
