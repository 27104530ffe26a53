"""The ``citeproof`` command: a thin click layer over ``citeproof.check``.

Data (the report) goes to stdout, messages to stderr. Exit codes: 0 no error,
1 errors found, 2 bad usage or unreadable input, 3 verification incomplete because
a registry was unavailable (and no other error).
"""
from __future__ import annotations

import errno
import math
import os
import sys
from datetime import timedelta
from pathlib import Path

import click

from . import __version__
from .check import CheckOptions, run_check
from .config import project_paths
from .errors import CiteproofError
from .registries import RegistryConfig, environment
from .report import FORMATTERS, format_step_summary

#: The variables the command itself reads, besides the registries' (see ``environment_rows``).
CLI_ENVIRONMENT = (
    ("GITHUB_STEP_SUMMARY", "", "when set, a Markdown summary is appended to that file"),
    ("NO_COLOR", "", "no colour in the text report"),
)


def environment_rows() -> list[tuple[str, str, str]]:
    """(variable, default or "", meaning) for every environment variable ``check`` reads."""
    return environment() + list(CLI_ENVIRONMENT)


def environment_markdown() -> str:
    """The README's environment table (pasted by ``make cog``)."""
    rows = [f"| `{var}` | {f'`{default}`' if default else 'unset'} | {meaning} |"
            for var, default, meaning in environment_rows()]
    return "\n".join(["| variable | default | meaning |", "|---|---|---|", *rows]) + "\n"


class Seconds(click.FloatRange):
    """A finite number in a closed range: NaN and infinities are refused like any value
    outside the range (click's FloatRange lets them through)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


class _CheckCommand(click.Command):
    """``check``, whose help ends with the environment variables, read from the registry table."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        rows = [(var, f"{meaning}  [{default}]" if default else meaning)
                for var, default, meaning in environment_rows()]
        with formatter.section("Environment"):
            formatter.write_dl(rows)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citeproof")
def main() -> None:
    """Prove that every citation is real: check a bib file and the Markdown that cites it."""


@main.command(cls=_CheckCommand)
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              help="MkDocs config to read the bib file and docs dir from.  [default: ./mkdocs.yml]")
@click.option("--bib", type=click.Path(path_type=Path, dir_okay=False),
              help="BibTeX file.  [default: the citeproof plugin's bib_file, else references.bib]")
@click.option("--docs", type=click.Path(path_type=Path),
              help="Markdown directory or file.  [default: mkdocs.yml's docs_dir, else docs]")
@click.option("--lock", type=click.Path(path_type=Path, dir_okay=False),
              help="Lock file of registry answers.  [default: citations.lock.json beside the bib]")
@click.option("--trusted-lock", type=click.Path(path_type=Path, dir_okay=False),
              help="Trust only the --lock entries identical to this lock's (e.g. a pull request's "
                   "base branch lock); added or changed ones are asked again.  [default: trust "
                   "--lock as it is]")
@click.option("--offline", is_flag=True,
              help="Make no request: check the bib and docs, and the bib against the lock.")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATTERS)), default="text",
              show_default=True, help="Report format on stdout.")
@click.option("--timeout", type=Seconds(min=0.1, max=600), default=10.0, show_default=True,
              help="Seconds to wait for one registry response.")
@click.option("--deadline", type=Seconds(min=1, max=86_400), default=120.0, show_default=True,
              help="Seconds for all registry requests together; then stop asking.")
@click.option("--max-age", type=Seconds(min=0, max=36_500), default=30.0, show_default=True,
              help="Days a locked registry answer stays fresh before it is asked again.")
@click.option("--color/--no-color", default=None,
              help="Colour the text report.  [default: on a terminal, unless NO_COLOR is set]")
def check(config_file, bib, docs, lock, trusted_lock, offline, fmt, timeout, deadline, max_age,
          color) -> None:
    """Check every citation: offline checks, then Crossref, doi.org and PubMed."""
    try:
        paths = project_paths(config_file, bib=bib, docs=docs, lock=lock)
        registry = RegistryConfig.from_env(timeout=timeout, deadline=deadline)
        options = CheckOptions(
            bib=paths.bib, docs=paths.docs, lock=paths.lock, lock_explicit=lock is not None,
            trusted_lock=trusted_lock, offline=offline, max_age=timedelta(days=max_age), registry=registry)
        result = run_check(options)
    except CiteproofError as exc:
        click.echo(f"citeproof: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    if color is None:
        color = fmt == "text" and _is_terminal(sys.stdout) and "NO_COLOR" not in os.environ
    _write_report(FORMATTERS[fmt](result, color=color), color)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            with open(summary_path, "a", encoding="utf-8") as fh:
                fh.write(format_step_summary(result))
        except OSError as exc:
            click.echo(f"citeproof: warning: cannot append to GITHUB_STEP_SUMMARY "
                       f"({summary_path}: {exc.strerror})", err=True)
    sys.exit(result.exit_code)


def _is_terminal(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


def _write_report(report: str, color: bool) -> None:
    """The report on stdout; a closed stdout or a full disk is one line on stderr, exit 2."""
    try:
        if sys.stdout is None:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        click.echo(report, nl=False, color=color)
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or "stdout is closed"
        click.echo(f"citeproof: error: cannot write the report to stdout ({reason}): "
                   "redirect it to a writable file", err=True)
        try:  # nothing more may reach the broken stdout at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main(prog_name="citeproof")
