"""Where the bib and the docs are: read from ``mkdocs.yml`` so the site and the checker agree."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import ConfigError

#: Default paths, decided here only (relative to mkdocs.yml, or to the bib for the lock).
DEFAULT_BIB = "references.bib"
DEFAULT_DOCS = "docs"
DEFAULT_LOCK_NAME = "citations.lock.json"


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that ignores MkDocs/Material tags such as ``!!python/name:`` and ``!ENV``."""


def _ignore_tag(loader, suffix, node):  # pragma: no cover - trivial
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


@dataclass(frozen=True)
class ProjectPaths:
    bib: Path
    docs: Path
    config_file: Path | None
    lock: Path | None = None  # set by project_paths: the given lock, else the default one


def default_lock(bib: Path) -> Path:
    """The lock file that belongs to ``bib``: ``citations.lock.json`` beside it."""
    return bib.parent / DEFAULT_LOCK_NAME


def project_paths(config_file: Path | None = None, *, bib: Path | None = None,
                  docs: Path | None = None, lock: Path | None = None) -> ProjectPaths:
    """Resolve the bib file, docs dir and lock file: explicit options win, then mkdocs.yml,
    then defaults (the lock: :func:`default_lock` of the bib)."""
    if config_file is None:
        candidate = Path("mkdocs.yml")
        config_file = candidate if candidate.exists() else None
    settings: dict = {}
    text = ""
    if config_file is not None:
        try:
            text = config_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{config_file}: cannot read the MkDocs config ({exc.strerror}).") from None
        try:
            settings = yaml.load(text, Loader=_TolerantLoader) or {}
        except RecursionError:
            raise ConfigError(f"{config_file}: the YAML is nested too deeply to read; fix "
                              "mkdocs.yml or pass --bib and --docs.") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{config_file}:{mark.line + 1}" if mark else str(config_file)
            raise ConfigError(f"{where}: invalid YAML ({getattr(exc, 'problem', exc)}); "
                              "fix mkdocs.yml or pass --bib and --docs.") from None
        if not isinstance(settings, dict):
            raise ConfigError(f"{config_file}: expected a mapping of settings at the top level.")
    root = config_file.parent if config_file is not None else Path(".")
    plugins = settings.get("plugins")
    if plugins is not None and not isinstance(plugins, (list, dict)):
        raise ConfigError(f"{_where(config_file, text, 'plugins')}: plugins must be a list or a "
                          f"mapping of plugins, not {_shown(plugins)}; fix mkdocs.yml.")
    options = _plugin_options(plugins)
    bib_file = options.get("bib_file", DEFAULT_BIB)
    docs_dir = settings.get("docs_dir", DEFAULT_DOCS)
    for name, value in (("plugins: citeproof: bib_file", bib_file), ("docs_dir", docs_dir)):
        if not isinstance(value, str) or not value.strip():
            where = _where(config_file, text, name.rsplit(": ", 1)[-1])
            raise ConfigError(f"{where}: {name} must be a path (text), not {_shown(value)}; "
                              "fix mkdocs.yml or pass --bib and --docs.")
    bib = bib if bib is not None else root / bib_file
    return ProjectPaths(
        bib=bib,
        docs=docs if docs is not None else root / docs_dir,
        config_file=config_file,
        lock=lock if lock is not None else default_lock(bib),
    )


def _where(config_file: Path, text: str, key: str) -> str:
    """``file:line`` of the first line that sets ``key`` (just the file if none does)."""
    m = re.search(rf"^[ \t-]*{re.escape(key)}[ \t]*:", text, re.M)
    return f"{config_file}:{text.count(chr(10), 0, m.start()) + 1}" if m else str(config_file)


def _shown(value) -> str:
    """A config value as the message shows it: its repr, cut to 60 characters."""
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:59] + "…"


def _plugin_options(plugins) -> dict:
    """The citeproof plugin's options, from the list form or the mapping form of ``plugins``."""
    if isinstance(plugins, dict):
        found = plugins.get("citeproof")
        return found if isinstance(found, dict) else {}
    for plugin in plugins or []:
        if isinstance(plugin, dict) and isinstance(plugin.get("citeproof"), dict):
            return plugin["citeproof"]
    return {}
