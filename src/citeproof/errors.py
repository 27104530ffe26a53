"""One way to fail: every error citeproof raises on purpose carries its exit code.

The CLI catches :class:`CiteproofError` once, prints its message on one line and exits
with ``exit_code``; the site adapters turn it into their own fatal error. Content
problems (an unknown key, a mismatch) are not exceptions: they are
:class:`citeproof.model.Problem` values, and the checker's exit code follows them.

Exit codes (the README's table is checked against these by a test):
"""
from __future__ import annotations

EXIT_OK = 0  #: no error (warnings allowed)
EXIT_ERRORS = 1  #: errors found (a dangling, mismatched or retracted citation, a bib error, ...)
EXIT_USAGE = 2  #: bad usage or unreadable input
EXIT_UNAVAILABLE = 3  #: verification incomplete because a registry was unavailable, no other error

#: What each exit code means (every command's ``--help`` lists them).
EXIT_CODES = {
    EXIT_OK: "no error (warnings allowed)",
    EXIT_ERRORS: "errors found (a dangling, mismatched or retracted citation, a bib error, a "
                 "work already in the bib, no confident match, ...)",
    EXIT_USAGE: "bad usage or unreadable input (missing bib or docs, invalid mkdocs.yml or lock, bad option)",
    EXIT_UNAVAILABLE: "a registry was unavailable (could not verify, no verdict), and no other error: "
                      "run again later",
}


class CiteproofError(Exception):
    """An error with one clear message (what, which file and line, what to do)."""

    exit_code = EXIT_USAGE


class InputError(CiteproofError):
    """Unreadable or unusable input (a missing docs directory, a Markdown file that is not UTF-8)."""


class ConfigError(InputError, ValueError):
    """A setting is unusable: mkdocs.yml, a plugin option, a registry URL or e-mail."""


class BibError(InputError):
    """The bib file cannot be read at all (missing, a directory, not UTF-8), or not written."""


class LockError(InputError):
    """The lock file cannot be used: the message names the file, the place and what to do."""


class RefusedError(CiteproofError):
    """An editor command would make a wrong change, so it made none: the work is already
    in the bib, or no registry knows the identifier (exit 1)."""

    exit_code = EXIT_ERRORS


class UnavailableError(CiteproofError):
    """An editor command needs a registry that could not be asked, so it changed nothing (exit 3)."""

    exit_code = EXIT_UNAVAILABLE
