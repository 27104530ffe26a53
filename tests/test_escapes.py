"""What is shown is what is there: text from bibs, pages, locks and registries, made
visible for a terminal (``visible``), literal for Markdown (the job summary) and exact in
JSON (the JSON report), whatever it holds (issue 19)."""
from __future__ import annotations

import json
import re

import pytest

from scratch import HOSTILE_TEXT, UNSEEN

from citeproof.visible import visible


def test_visible_escapes_surrogates_and_separators_and_keeps_a_diffs_lines():
    from citeproof.visible import visible_lines, without_surrogates
    assert visible("a\ud800b\udcff\u2028\u2029") == "a\\ud800b\\udcff\\u2028\\u2029"
    assert visible_lines("+ x\x1b[2J\t{y}\r\n- \u202ez\rw\n") == "+ x\\x1b[2J\t{y}\r\n- \\u202ez\\rw\n"
    assert not UNSEEN.search(visible(HOSTILE_TEXT)) and "\n" not in visible(HOSTILE_TEXT)
    assert not UNSEEN.search(visible_lines(HOSTILE_TEXT))
    assert visible(visible(HOSTILE_TEXT)) == visible(HOSTILE_TEXT)  # an escape is plain text
    assert without_surrogates("a\ud800b") == "a\ufffdb"


def test_markdown_text_shows_registry_text_as_text():
    from citeproof.report.github import markdown_text
    shown = markdown_text(HOSTILE_TEXT)
    assert not UNSEEN.search(shown)
    assert "\\!\\[x\\](https://evil.example/x.png)" in shown and "\\<img src=" in shown
    assert "\\*\\*bold\\*\\*" in shown and "\\&amp;" in shown and "\\$x^2\\$" in shown and "a\\|b" in shown
    assert "\\\\x1b" in shown  # the visible escape's backslash is itself escaped: it shows as \x1b
    # nothing special is left once every backslash pair is taken out
    assert not re.search(r"[`*_\[\]<>&|~$!]", re.sub(r"\\.", "", shown))


@pytest.mark.parametrize("hostile", [HOSTILE_TEXT, "plain ASCII but DEL: \x7f", "plain ASCII"])
def test_the_json_report_escapes_what_a_terminal_would_act_on_and_replaces_surrogates(hostile):
    from citeproof.report import format_json
    from citeproof.visible import without_surrogates

    class Result:
        references, problems = [], []

        def summary(self):
            return {"lock": hostile}
    text = format_json(Result())
    assert not UNSEEN.search(text)
    assert json.loads(text)["summary"]["lock"] == without_surrogates(hostile)
    ascii_text = format_json(Result(), ascii_only=True)
    assert ascii_text.isascii() and json.loads(ascii_text) == json.loads(text)


def test_visible_escapes_every_ascii_control_and_no_other_ascii_character():
    """(Plain printable ASCII is returned as it is, without a search: the controls must
    still be found.)"""
    for code in range(128):
        text = f"a{chr(code)}b"
        assert (visible(text) != text) == (code < 32 or code == 127), code
    assert visible("a\x1b[31mb") == "a\\x1b[31mb" and visible("x\u200by") == "x\\u200by"
