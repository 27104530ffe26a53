"""The ``citeproof`` command: a thin click layer over ``citeproof.check``.

Data (the report) goes to stdout, messages to stderr. Exit codes: 0 no error,
1 errors found, 2 bad usage or unreadable input, 3 verification incomplete because
a registry was unavailable (and no other error).
"""
from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import click

from . import __version__
from .check import EXIT_USAGE, CheckOptions, InputError, run_check
from .config import ConfigError, project_paths
from .registries import RegistryConfig
from .report import FORMATTERS, format_step_summary


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citeproof")
def main() -> None:
    """Prove that every citation is real: check a bib file and the Markdown that cites it."""


@main.command()
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              help="MkDocs config to read the bib file and docs dir from.  [default: ./mkdocs.yml]")
@click.option("--bib", type=click.Path(path_type=Path, dir_okay=False),
              help="BibTeX file.  [default: the citeproof plugin's bib_file, else references.bib]")
@click.option("--docs", type=click.Path(path_type=Path),
              help="Markdown directory or file.  [default: mkdocs.yml's docs_dir, else docs]")
@click.option("--lock", type=click.Path(path_type=Path, dir_okay=False),
              help="Lock file of registry answers.  [default: citations.lock.json beside the bib]")
@click.option("--offline", is_flag=True,
              help="Make no request: check the bib and docs, and the bib against the lock.")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATTERS)), default="text",
              show_default=True, help="Report format on stdout.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds to wait for one registry response.")
@click.option("--deadline", type=click.FloatRange(min=1), default=120.0, show_default=True,
              help="Seconds for all registry requests together; then stop asking.")
@click.option("--max-age", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Days a locked registry answer stays fresh before it is asked again.")
@click.option("--color/--no-color", default=None,
              help="Colour the text report.  [default: on a terminal, unless NO_COLOR is set]")
def check(config_file, bib, docs, lock, offline, fmt, timeout, deadline, max_age, color) -> None:
    """Check every citation: offline checks, then Crossref, doi.org and PubMed.

    \b
    Environment:
      CITEPROOF_CROSSREF_URL  Crossref REST API  [https://api.crossref.org]
      CITEPROOF_DOI_URL       doi.org            [https://doi.org]
      CITEPROOF_EUTILS_URL    NCBI E-utilities   [https://eutils.ncbi.nlm.nih.gov/entrez/eutils]
      CITEPROOF_MAILTO        your e-mail: Crossref's polite pool, NCBI's email parameter
      NCBI_API_KEY            NCBI API key (10 requests/s instead of 3; never printed)
      GITHUB_STEP_SUMMARY     when set, a Markdown summary is appended to that file
    """
    try:
        paths = project_paths(config_file, bib=bib, docs=docs)
        registry = None
        if not offline:
            registry = RegistryConfig.from_env(timeout=timeout, deadline=deadline)
        options = CheckOptions(
            bib=paths.bib, docs=paths.docs,
            lock=lock if lock is not None else paths.bib.parent / "citations.lock.json",
            lock_explicit=lock is not None, offline=offline,
            max_age=timedelta(days=max_age), registry=registry)
        result = run_check(options)
    except (InputError, ConfigError, ValueError) as exc:
        click.echo(f"citeproof: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if color is None:
        color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo(FORMATTERS[fmt](result, color=color), nl=False, color=color)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            with open(summary_path, "a", encoding="utf-8") as fh:
                fh.write(format_step_summary(result))
        except OSError as exc:
            click.echo(f"citeproof: warning: cannot append to GITHUB_STEP_SUMMARY "
                       f"({summary_path}: {exc.strerror})", err=True)
    sys.exit(result.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main(prog_name="citeproof")
