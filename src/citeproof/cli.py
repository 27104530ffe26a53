"""The ``citeproof`` command: a thin click layer over ``citeproof.check`` and ``citeproof.editing``.

Data (the report, a diff, the key to cite, the candidates) goes to stdout, messages to
stderr. Exit codes (:data:`citeproof.errors.EXIT_CODES`, shown in every ``--help``):
0 no error, 1 errors found, 2 bad usage or unreadable input, 3 a registry was
unavailable (and no other error).

Everything printed goes through :func:`_say` (a message, on stderr) or :func:`_put` (data,
on stdout): every control and invisible character is a visible escape (messages through
:func:`citeproof.visible.visible`, diffs and candidate lists through ``visible_lines``,
which keeps their line ends; the reports escape their own text), and what the stream's
encoding cannot hold is a backslash escape. A stdout that cannot be written (closed, a
full disk, a closed pipe) is one message and exit 2, once the command has said what it did.
"""
from __future__ import annotations

import errno
import gc
import math
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import click

from . import __version__
from .check import CheckOptions, collector_paused, run_check
from .config import project_paths
from .errors import EXIT_CODES, EXIT_ERRORS, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, CiteproofError, InputError
from .progress import Progress
from .registries import REGISTRIES, RegistryConfig, environment
from .report import FORMATTERS, format_json, format_step_summary
from .visible import SURROGATE, visible, visible_lines

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


def _exit_codes(formatter: click.HelpFormatter) -> None:
    with formatter.section("Exit codes"):
        formatter.write_dl([(str(code), meaning) for code, meaning in EXIT_CODES.items()])


class _Command(click.Command):
    """A command whose help ends with the exit codes."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        _exit_codes(formatter)


class _Group(click.Group):
    """The command group, whose help ends with the exit codes; its commands are :class:`_Command`."""

    command_class = _Command

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        _exit_codes(formatter)


class _OnlineCommand(_Command):
    """A command that asks the registries: its help lists the environment variables too."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        rows = [(var, f"{meaning}  [{default}]" if default else meaning)
                for var, default, meaning in environment_rows()]
        with formatter.section("Environment"):
            formatter.write_dl(rows)


def project_options(f):
    """``--config`` and ``--bib``: where the bib is (shared by every command)."""
    f = click.option("--bib", type=click.Path(path_type=Path, dir_okay=False),
                     help="BibTeX file.  [default: the citeproof plugin's bib_file, else references.bib]")(f)
    return click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
                        help="MkDocs config to read the bib file and docs dir from.  [default: ./mkdocs.yml]")(f)


def registry_options(f):
    """``--timeout``, ``--deadline`` (how long to wait for the registries) and ``--quiet``."""
    f = click.option("--quiet", "-q", is_flag=True,
                     help="No progress line on stderr while the registries are asked.")(f)
    f = click.option("--deadline", type=Seconds(min=1, max=86_400), default=120.0, show_default=True,
                     help="Seconds for all registry requests together; then stop asking.")(f)
    return click.option("--timeout", type=Seconds(min=0.1, max=600), default=10.0, show_default=True,
                        help="Seconds one registry request may take in all (connect, headers, "
                             "body).")(f)


def dry_run_option(f):
    return click.option("--dry-run", is_flag=True,
                        help="Print the diff of the bib file instead of changing it.")(f)


# --------------------------------------------------------------------------- output

class _Stdout:
    """Whether stdout failed in this invocation, and why (``None``: it did not)."""

    failed: str | None = None
    what = "the output"


def _fit(text: str, stream) -> str:
    """``text`` as ``stream`` can encode it: what its encoding cannot hold, backslash-escaped."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        pass
    return text


def _say(message: str) -> None:
    """One message on stderr, made visible; a stderr that cannot be written is left alone."""
    try:
        click.echo(_fit("citeproof: " + visible(message), sys.stderr), err=True)
    except (OSError, ValueError):
        pass


def _put(text: str, what: str, *, color: bool | None = None) -> None:
    """Data on stdout (``text`` already visible). A stdout that cannot take it is
    remembered (:func:`_exit` reports it) and nothing more is written to it."""
    if _Stdout.failed is not None or not text:
        return
    try:
        if sys.stdout is None:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        click.echo(_fit(text, sys.stdout), nl=False, color=color)
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        _Stdout.failed, _Stdout.what = getattr(exc, "strerror", None) or "stdout is closed", what
        try:  # nothing more may reach the broken stdout, nor at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass


def _exit(code: int) -> NoReturn:
    """Exit with ``code``, or with 2 and one message when stdout could not be written."""
    if _Stdout.failed is not None:
        _say(f"error: cannot write {_Stdout.what} to stdout ({_Stdout.failed}): redirect it to a "
             "writable file")
        sys.exit(EXIT_USAGE)
    sys.exit(code)


def _fail(exc: CiteproofError) -> NoReturn:
    _say(f"error: {exc}")
    _exit(exc.exit_code)


def _utf8(ctx: click.Context, param: click.Parameter, value):
    """An argument as given, refused when it holds bytes that are not UTF-8 (Python reads
    them as lone surrogates, which no registry request can carry)."""
    for text in (value if isinstance(value, tuple) else (value,)):
        if isinstance(text, str) and SURROGATE.search(text):
            raise click.BadParameter(f"'{visible(text)}' holds bytes that are not UTF-8 text; "
                                     "give it as UTF-8.", ctx, param)
    return value


def _replaced(text: str) -> bool:
    """Whether added lines of a diff hold U+FFFD: a character a registry sent broken (a
    lone surrogate) or that was lost before it (see ``registries.http``)."""
    return any(line.startswith("+") and not line.startswith("+++") and "\ufffd" in line
               for line in text.splitlines())


def _progress(quiet: bool) -> Progress:
    return Progress(sys.stderr, tty=_is_terminal(sys.stderr), quiet=quiet)


def _registry(timeout: float, deadline: float, progress: Progress, notice: bool = True) -> RegistryConfig:
    """The registries from the environment, reporting to ``progress``; with ``notice``, a
    notice first when the endpoints are not the real registries' (``check`` has none: its
    report says so at its top, in every format, so it is said once)."""
    registry = RegistryConfig.from_env(timeout=timeout, deadline=deadline, progress=progress)
    if notice and not registry.official:
        overridden = [f"{r.env_var}={registry.urls[r.name]}" for r in REGISTRIES
                      if registry.urls[r.name] != r.default_url]
        progress.notice("the registry endpoints are overridden (" + ", ".join(overridden)
                        + "): answers come from there, not from the real registries")
    return registry


def _bib_and_registry(config_file, bib, timeout, deadline, progress):
    paths = project_paths(config_file, bib=bib)
    return paths, _registry(timeout, deadline, progress)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citeproof")
def main() -> None:
    """Prove that every citation is real: check a bib file and the Markdown that cites it;
    add, fix and find its references from the registries."""
    _Stdout.failed = None  # (one invocation's state: tests run several in one process)


@main.command(cls=_OnlineCommand)
@project_options
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
@registry_options
@click.option("--max-age", type=Seconds(min=0, max=36_500), default=30.0, show_default=True,
              help="Days a locked registry answer stays fresh before it is asked again.")
@click.option("--color/--no-color", default=None,
              help="Colour the text report.  [default: on a terminal, unless NO_COLOR is set]")
@click.option("--no-cache", is_flag=True,
              help="Parse the bib afresh and keep nothing in the cache folder (the cache_dir "
                   "option: .cache/citeproof).  [default: a bib's second check keeps it there, "
                   "and later checks of the unchanged bib read it back]")
def check(config_file, bib, docs, lock, trusted_lock, offline, fmt, timeout, deadline, quiet, max_age,
          color, no_cache) -> None:
    """Check every citation: offline checks, then Crossref, doi.org and PubMed."""
    try:
        paths = project_paths(config_file, bib=bib, docs=docs, lock=lock)
        assert paths.lock is not None  # (project_paths sets it)
        with _progress(quiet) as progress:
            registry = _registry(timeout, deadline, progress, notice=False)
            options = CheckOptions(
                bib=paths.bib, docs=paths.docs, lock=paths.lock, lock_explicit=lock is not None,
                trusted_lock=trusted_lock, offline=offline, max_age=timedelta(days=max_age), registry=registry,
                not_names=paths.options.not_names, root=paths.root, edition=paths.options.edition,
                exclude=paths.exclude, require_identifier=paths.options.require_identifier,
                cache_dir=None if no_cache or not paths.options.cache_dir else paths.root / paths.options.cache_dir)
            result = run_check(options)
    except CiteproofError as exc:
        _fail(exc)
    if color is None:
        color = fmt == "text" and _is_terminal(sys.stdout) and "NO_COLOR" not in os.environ
    with collector_paused():
        report = FORMATTERS[fmt](result, color=color)
        if fmt == "json" and _fit(report, sys.stdout) != report:
            report = format_json(result, ascii_only=True)  # (backslash escapes are not JSON's)
    _put(report, "the report", color=color)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            with open(summary_path, "a", encoding="utf-8") as fh:
                fh.write(format_step_summary(result))
        except OSError as exc:
            _say(f"warning: cannot append to GITHUB_STEP_SUMMARY ({summary_path}: {exc.strerror})")
    _exit(result.exit_code)


def _is_terminal(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


@main.command(cls=_OnlineCommand)
@click.argument("identifiers", nargs=-1, callback=_utf8)
@project_options
@registry_options
@dry_run_option
@click.option("--from-docs", is_flag=True,
              help="Also add every work the docs cite by identifier ([@doi:…], [@pmid:…], [@pmcid:…]) "
                   "that no entry has, in one batched run.")
@click.option("--allow-retracted", is_flag=True,
              help="Add a retracted, withdrawn or removed work (to cite it as such).")
def add(identifiers, config_file, bib, timeout, deadline, quiet, dry_run, from_docs, allow_retracted) -> None:
    """Add a reference from the registries, for each DOI, PMID or PMCID (bare, doi:, PMID:,
    or a doi.org, PubMed or PMC URL), and print the key to cite. All or nothing: a work
    already in the bib, one no registry knows or could be asked about, or a retracted one,
    changes no file."""
    from .editing.add import add as add_entries, cited_identifiers
    try:
        with _progress(quiet) as progress:
            paths, registry = _bib_and_registry(config_file, bib, timeout, deadline, progress)
            wanted = [*identifiers, *(cited_identifiers(paths.bib, paths.docs, paths.exclude) if from_docs else ())]
            if not wanted:
                raise InputError("name a DOI, PMID or PMCID to add" + (
                    ": the docs cite no identifier that the bib lacks" if from_docs else " (or use --from-docs)"))
            added = add_entries(paths.bib, wanted, registry, dry_run=dry_run, allow_retracted=allow_retracted,
                                merge=from_docs)
    except CiteproofError as exc:
        _fail(exc)
    _added(paths.bib, added, dry_run)
    _exit(EXIT_OK)


def _added(bib: Path, added, dry_run: bool, cite: str = "") -> None:
    """What ``add`` (or ``find --add``) did: its notes, then the diff (``dry_run``) or the keys."""
    for note in added.notes:
        _say(f"warning: {note}")
    if _replaced(added.diff):
        _say("warning: the new entry holds U+FFFD, the replacement character: a "
             "registry sent a character that is not valid text there; correct it by hand")
    if dry_run:
        _put(visible_lines(added.diff), "the diff")
        _say(f"{bib} NOT changed (--dry-run)")
        return
    _say(cite or f"added to {bib}: {', '.join(added.keys)}; cite as "
         + "; ".join(f"[@{k}]" for k in added.keys))
    _put("".join(visible(key) + "\n" for key in added.keys), "the key to cite")


@main.command(cls=_OnlineCommand)
@project_options
@registry_options
@click.option("--write", is_flag=True, help="Apply the changes to the bib file (atomically).")
def fix(config_file, bib, timeout, deadline, quiet, write) -> None:
    """Propose the registries' value for every mismatch and missing DOI or PMID that
    `citeproof check` finds, as a unified diff of the bib file; --write applies it.
    Values the registries disagree on are shown, never chosen."""
    from .check import CheckOptions
    from .editing.fix import fix as fix_bib
    try:
        with _progress(quiet) as progress:
            paths, registry = _bib_and_registry(config_file, bib, timeout, deadline, progress)
            fixes = fix_bib(CheckOptions(bib=paths.bib, docs=paths.docs, lock=paths.lock, registry=registry),
                            write=write)
    except CiteproofError as exc:
        _fail(exc)
    _put(visible_lines(fixes.diff), "the diff")
    for line in fixes.undecided:
        _say(f"not changed: {line}")
    for line in fixes.unavailable:
        _say(f"not checked: {line}")
    if _replaced(fixes.diff):
        _say("warning: a value from the registries holds U+FFFD, the replacement "
             "character: a registry sent a character that is not valid text there; correct it by hand")
    _say(fixes.summary(str(paths.bib)))
    if fixes.undecided:
        _exit(EXIT_ERRORS)
    _exit(EXIT_UNAVAILABLE if fixes.unavailable else EXIT_OK)


@main.command(cls=_OnlineCommand)
@click.argument("text", callback=_utf8)
@project_options
@registry_options
@click.option("--rows", type=click.IntRange(1, 20), default=5, show_default=True,
              help="Candidates to ask each registry for.")
@click.option("--add", "add_n", type=click.IntRange(min=1), metavar="N",
              help="Add candidate N to the bib (as `citeproof add` would).")
@dry_run_option
def find(text, config_file, bib, timeout, deadline, quiet, rows, add_n, dry_run) -> None:
    """Find the DOI or PMID of a printed reference (TEXT): ranked candidates from Crossref
    and PubMed, each with its evidence (title similarity, first author, year, journal).
    Exits 1 with "no confident match" rather than guess."""
    from .editing.add import add_wanted
    from .editing.entry import Wanted
    from .editing.find import describe, find as find_works
    try:
        with _progress(quiet) as progress:
            paths, registry = _bib_and_registry(config_file, bib, timeout, deadline, progress)
            found = find_works(text, registry, rows)
    except CiteproofError as exc:
        _fail(exc)
    for line in found.unavailable:
        _say(f"warning: {line}")
    _put("".join(visible_lines(describe(n, candidate)) for n, candidate in enumerate(found.candidates, 1)),
         "the candidates")
    if add_n is None:
        if not found.confident:
            _say("no confident match" + (": no candidate" if not found.candidates else
                 "; check the candidates by hand, or add one with --add N"))
            _exit(EXIT_UNAVAILABLE if found.unavailable else EXIT_ERRORS)
        _say("candidate 1 is a confident match; add it with --add 1")
        _exit(EXIT_OK)
    if add_n > len(found.candidates):
        _fail(CiteproofError(f"--add {add_n}: there are only {len(found.candidates)} candidates"))
    pick = found.candidates[add_n - 1]
    try:
        added = add_wanted(paths.bib, [Wanted(f"candidate {add_n}", doi=pick.doi, pmid=pick.pmid)],
                           registry, dry_run=dry_run)
    except CiteproofError as exc:
        _fail(exc)
    _added(paths.bib, added, dry_run, cite=f"added to {paths.bib}: cite as [@{added.keys[0]}]"
           if added.keys else "")
    _exit(EXIT_OK)


def run() -> None:
    """The ``citeproof`` command (the console script): :func:`main`, after which the process
    ends with every object the run made frozen (``gc.freeze``). Python's last collection,
    as it exits, would walk all of them: about 60 ms of a 2,700-entry bib's first check,
    a tenth of it. (:func:`main` itself freezes nothing: it may run in a process that goes on.)"""
    try:
        main(prog_name="citeproof")
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    run()
