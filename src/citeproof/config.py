"""A project's options and where its files are, read one way for the site and the checker.

:class:`SiteOptions` holds every option of the MkDocs plugin and the Python-Markdown
extension. The checker reads the same options (:func:`project_paths`): from the citeproof
plugin's entry in ``mkdocs.yml``, or, for a project without MkDocs, from the
``[tool.citeproof]`` table of its ``pyproject.toml``, so the site and the checker agree on
the bib, the lock and every rule.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from .errors import ConfigError
from .model import AUTHOR_RULES, PAGE_RANGES

#: Default paths, decided here only (relative to mkdocs.yml, or to the bib for the lock).
DEFAULT_BIB = "references.bib"
DEFAULT_DOCS = "docs"
DEFAULT_LOCK_NAME = "citations.lock.json"


#: The options that take one of a few words, and those words (the first is the default).
#: ``authors`` and ``page_ranges`` are the pybtex style's rules (defined in model.py, so
#: that a warm build need not import pybtex).
CHOICES: dict[str, tuple[str, ...]] = {
    "citation_format": ("brackets", "superscript"),
    "authors": AUTHOR_RULES,
    "page_ranges": PAGE_RANGES,
}

@dataclass(frozen=True)
class SiteOptions:
    """Every option of the MkDocs plugin and the Python-Markdown extension, with its default."""

    bib_file: str = DEFAULT_BIB
    """The BibTeX file, relative to the site's root (mkdocs.yml, or the extension's base_dir)."""
    citation_format: str = CHOICES["citation_format"][0]
    """How a citation group shows: `[1–3, 5]` (brackets) or superscript numbers."""
    references_heading: str = "References"
    """Heading added above the list on a page that cites but has no `\\bibliography` line."""
    download_bib: bool = True
    """Link the bib file under each reference list (the MkDocs plugin also copies it into the site)."""
    metadata: bool = True
    """Add Highwire `citation_*` meta tags and schema.org JSON-LD to citing pages."""
    cache_dir: str = ".cache/citeproof"
    """Where the parsed and formatted bib and each page's render are cached (relative to the
    root); "" disables."""
    authors: str = CHOICES["authors"][0]
    """Authors in the list: up to 6 then "et al." (icmje), all of them, or 3 then "et al."."""
    page_ranges: str = CHOICES["page_ranges"][0]
    """Page ranges as Citing Medicine abbreviates them (786-92), or in full (786-792)."""
    lock_file: str = ""
    """The checker's lock of registry answers, relative to the root ("": citations.lock.json
    beside the bib): its records feed the prose checks, the study-design badges and the
    evidence readers see (status marks, notices, verification.json)."""
    not_names: tuple[str, ...] = ()
    """Words the prose checks never take for a person's name at the start of a sentence,
    besides the built-in list (articles, pronouns, "Researchers", "Study" …): the words of
    your subject that open sentences ("Glaciers", "Permafrost")."""
    require_identifier: bool = False
    """Every reference must have a DOI or PMID, or say it has none (``identifier = {none}``):
    one without is an error, not a warning (a site whose citations must all be confirmed by
    a registry, as this project's article)."""
    edition: str = ""
    """A folder (relative to the root) holding the article's original edition
    (``original.txt``) and its declared changes (``changes.yml``): the checker then reports
    any undeclared change. "" (the default): the article keeps no edition record."""

    def __post_init__(self) -> None:
        words = self.not_names
        if isinstance(words, str) or not all(isinstance(w, str) for w in words or ()):
            raise ConfigError(f"citeproof: not_names must be a list of words, not {words!r}.")
        object.__setattr__(self, "not_names", tuple(words or ()))
        for name in ("bib_file", "cache_dir", "edition"):  # a pathlib.Path is as good as its text
            value = getattr(self, name)
            if isinstance(value, os.PathLike):
                object.__setattr__(self, name, os.fspath(value))
            elif not isinstance(value, str):
                raise ConfigError(f"citeproof: {name} must be a path (text), not {value!r}.")
        if not isinstance(self.require_identifier, bool):
            raise ConfigError(f"citeproof: require_identifier must be true or false, not "
                              f"{self.require_identifier!r}.")
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ConfigError(f"citeproof: {name} is {getattr(self, name)!r}; use one of "
                                  + ", ".join(repr(a) for a in allowed) + ".")
        if "://" in self.bib_file:
            raise ConfigError(
                f"citeproof: bib_file is a URL ({self.bib_file}); it must be a file in the "
                "project, so builds never depend on a server: download it and commit it.")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


class _TolerantLoader(yaml.SafeLoader):
    """A SafeLoader (nothing in mkdocs.yml can run code here) that reads ``!ENV`` as MkDocs
    does and keeps any other tag (``!!python/name:``, ``!relative``) as plain data."""


def _env_tag(loader, node):
    """MkDocs' ``!ENV VAR`` / ``!ENV [VAR, OTHER, default]``: the first variable that is set
    (its value read as YAML reads a scalar), else the default (else ``None``)."""
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    elif isinstance(node, yaml.SequenceNode):
        items = node.value
        names = [loader.construct_scalar(n) for n in items[:-1]] if len(items) > 1 else \
            [loader.construct_scalar(n) for n in items]
        default = loader.construct_object(items[-1]) if len(items) > 1 else None
    else:
        return None
    for name in names:
        value = os.environ.get(str(name))
        if value is not None:
            return yaml.load(value, Loader=yaml.SafeLoader) if value.strip() else value
    return default


def _ignore_tag(loader, suffix, node):  # pragma: no cover - trivial
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)
_TolerantLoader.add_constructor("!ENV", _env_tag)


@dataclass(frozen=True)
class ProjectPaths:
    bib: Path
    docs: Path
    config_file: Path | None
    lock: Path | None = None  # set by project_paths: the given lock, else the default one
    options: SiteOptions = field(default_factory=lambda: SiteOptions())
    root: Path = Path(".")  # what the options' relative paths are relative to
    #: the pages MkDocs leaves out (``exclude_docs`` and ``draft_docs``, gitignore-style)
    exclude: str = ""


def default_lock(bib: Path) -> Path:
    """The lock file that belongs to ``bib``: ``citations.lock.json`` beside it."""
    return bib.parent / DEFAULT_LOCK_NAME


def project_paths(config_file: Path | None = None, *, bib: Path | None = None,
                  docs: Path | None = None, lock: Path | None = None) -> ProjectPaths:
    """Resolve the options, bib file, docs dir and lock file: explicit arguments win, then
    the citeproof plugin's options in mkdocs.yml (else ``[tool.citeproof]`` in
    pyproject.toml beside it), then defaults (the lock: :func:`default_lock` of the bib)."""
    if config_file is None:
        candidate = Path("mkdocs.yml")
        config_file = candidate if candidate.exists() else None
    settings, text = _mkdocs_settings(config_file) if config_file is not None else ({}, "")
    root = config_file.parent if config_file is not None else Path(".")
    plugins = settings.get("plugins")
    if plugins is not None and not isinstance(plugins, (list, dict)):
        assert config_file is not None  # (settings are read from it)
        raise ConfigError(f"{_where(config_file, text, 'plugins')}: plugins must be a list or a "
                          f"mapping of plugins, not {_shown(plugins)}; fix mkdocs.yml.")
    found = _plugin_options(plugins)
    where = config_file
    if found is None:
        found, where = _pyproject_options(root / "pyproject.toml")
    raw = dict(found or {})
    own_docs = raw.pop("docs", None) if where is not config_file else None  # [tool.citeproof] docs
    checks = [("bib_file", raw.get("bib_file", DEFAULT_BIB), where, "plugins: citeproof: bib_file"
               if where is config_file else "[tool.citeproof] bib_file")]
    checks.append(("docs_dir", settings.get("docs_dir", DEFAULT_DOCS), config_file, "docs_dir") if own_docs is None
                  else ("docs", own_docs, where, "[tool.citeproof] docs"))
    for key, value, file, name in checks:
        if not isinstance(value, str) or not value.strip():
            at = _where(file, text, key) if file is config_file and file is not None else str(file)
            raise ConfigError(f"{at}: {name} must be a path (text), not {_shown(value)}; "
                              "fix it or pass --bib and --docs.")
    docs_dir = own_docs if own_docs is not None else settings.get("docs_dir", DEFAULT_DOCS)
    options = _options(raw, where, text if where is config_file else "")
    bib = bib if bib is not None else root / options.bib_file
    if lock is None:
        lock = root / options.lock_file if options.lock_file else default_lock(bib)
    exclude = "\n".join(str(settings.get(k) or "") for k in ("exclude_docs", "draft_docs"))
    return ProjectPaths(bib=bib, docs=docs if docs is not None else root / docs_dir,
                        config_file=config_file, lock=lock, options=options, root=root, exclude=exclude)


def _mkdocs_settings(config_file: Path) -> tuple[dict, str]:
    """``mkdocs.yml``'s settings as MkDocs reads them (``INHERIT`` merged, ``!ENV`` read;
    through MkDocs' own loader when MkDocs is installed, on a safe YAML loader either way),
    and its text (for line numbers in messages)."""
    try:
        data = config_file.read_bytes()
        text = data.decode("utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{config_file}: cannot read the MkDocs config ({exc.strerror}).") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{config_file}: not UTF-8 text (byte {exc.start + 1}): save mkdocs.yml as UTF-8, "
                          "as MkDocs reads it.") from None
    try:
        settings = _load_with_inherit(config_file, text, set())
    except RecursionError:
        raise ConfigError(f"{config_file}: the YAML is nested too deeply to read; fix "
                          "mkdocs.yml or pass --bib and --docs.") from None
    except ConfigError:
        raise
    except ValueError:  # (YAML's int constructor: a number of more than 4,300 digits)
        raise ConfigError(f"{config_file}: it holds a number too long to read (over 4,300 digits); "
                          "fix mkdocs.yml or pass --bib and --docs.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{config_file}:{mark.line + 1}" if mark else str(config_file)
        raise ConfigError(f"{where}: invalid YAML ({getattr(exc, 'problem', exc)}); "
                          "fix mkdocs.yml or pass --bib and --docs.") from None
    if not isinstance(settings, dict):
        raise ConfigError(f"{config_file}: expected a mapping of settings at the top level.")
    return settings, text


def _mkdocs_yaml():
    """MkDocs' own YAML reading (``get_yaml_loader``, ``yaml_load``), or ``None`` without MkDocs."""
    try:
        from mkdocs.utils.yaml import get_yaml_loader, yaml_load
    except ImportError:
        return None
    return get_yaml_loader, yaml_load


def _load_with_inherit(path: Path, text: str, seen: set) -> dict:
    """One config file's settings, merged over the file its ``INHERIT`` names (MkDocs'
    rule: the child's keys win, mappings merge deeply). A file with no tag (no ``!``)
    and no ``INHERIT`` reads the same on any safe loader: MkDocs' loader (and its imports)
    is needed only for the others."""
    mkdocs = None if "!" not in text and "INHERIT" not in text else _mkdocs_yaml()
    if mkdocs is None:  # MkDocs is optional: the same rules, here
        settings = yaml.load(text, Loader=_TolerantLoader) or {}
    else:
        import io

        get_yaml_loader, yaml_load = mkdocs
        source = io.StringIO(text)
        source.name = str(path)
        try:
            return yaml_load(source, loader=get_yaml_loader(_TolerantLoader)) or {}
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception as exc:  # MkDocs' ConfigurationError: bad YAML, or a missing INHERIT file
            yaml.load(text, Loader=_TolerantLoader)  # bad YAML: the error with its line
            raise ConfigError(f"{path}: {exc}") from None
    if not isinstance(settings, dict) or "INHERIT" not in settings:
        return settings
    parent = path.parent / str(settings.pop("INHERIT"))
    if parent.resolve() in seen or not parent.is_file():
        raise ConfigError(f"{path}: INHERIT names {parent}, which {'is a loop' if parent.exists() else 'does not exist'}.")
    seen.add(parent.resolve())
    try:
        base = _load_with_inherit(parent, parent.read_text(encoding="utf-8-sig"), seen)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{parent}: cannot read this inherited config ({exc}).") from None
    return _merged(base, settings)


def _merged(base, child):
    """MkDocs' deep merge: the child's values win, mappings merge key by key."""
    if isinstance(base, dict) and isinstance(child, dict):
        return {**base, **{k: _merged(base[k], v) if k in base else v for k, v in child.items()}}
    return child


def _pyproject_options(path: Path) -> tuple[dict | None, Path]:
    """The ``[tool.citeproof]`` table of ``pyproject.toml`` (``None`` when it has none)."""
    import tomllib  # (only a project without mkdocs.yml reads one)

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, path
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc}); fix it or pass --bib and --docs.") from None
    except RecursionError:
        raise ConfigError(f"{path}: cannot read it (nested too deeply); fix it or pass --bib and "
                          "--docs.") from None
    except ValueError:  # (a number of more than 4,300 digits)
        raise ConfigError(f"{path}: cannot read it (a number too long to read, over 4,300 digits); "
                          "fix it or pass --bib and --docs.") from None
    table = data.get("tool", {}).get("citeproof") if isinstance(data.get("tool"), dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.citeproof] must be a table of options.")
    return table, path


def _options(raw: dict, where: Path | None, text: str) -> SiteOptions:
    """:class:`SiteOptions` from a project's option mapping; :class:`ConfigError` naming the
    file (and line) of an unknown or bad option."""
    known = set(SiteOptions.names())
    unknown = sorted(set(raw) - known)
    if unknown:
        at = _where(where, text, unknown[0]) if text and where is not None else str(where)  # (text is where's)
        raise ConfigError(f"{at}: unknown citeproof option {unknown[0]!r}; the options are "
                          + ", ".join(sorted(known)) + ".")
    try:
        return SiteOptions(**raw)
    except (ConfigError, TypeError) as exc:
        raise ConfigError(f"{where}: {str(exc).removeprefix('citeproof: ')}") from None


def _where(config_file: Path, text: str, key: str) -> str:
    """``file:line`` of the first line that sets ``key`` (just the file if none does)."""
    m = re.search(rf"^[ \t-]*{re.escape(key)}[ \t]*:", text, re.M)
    return f"{config_file}:{text.count(chr(10), 0, m.start()) + 1}" if m else str(config_file)


def _shown(value) -> str:
    """A config value as the message shows it: its repr, cut to 60 characters."""
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:59] + "…"


def _plugin_options(plugins) -> dict | None:
    """The citeproof plugin's options, from the list form or the mapping form of ``plugins``
    (``{}`` when it is listed without options, ``None`` when it is not listed)."""
    if isinstance(plugins, dict):
        if "citeproof" not in plugins:
            return None
        found = plugins.get("citeproof")
        return found if isinstance(found, dict) else {}
    for plugin in plugins or []:
        if plugin == "citeproof":
            return {}
        if isinstance(plugin, dict) and "citeproof" in plugin:
            return plugin["citeproof"] if isinstance(plugin["citeproof"], dict) else {}
    return None
