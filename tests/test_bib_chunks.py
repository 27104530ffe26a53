"""The incremental parse (``bib.load.parse_bib_chunks``): after every kind of edit it
gives what ``parse_bib_text`` gives of the whole new text (references, problems with
their lines and messages, pybtex's data), and reads again only the chunks that changed."""
from __future__ import annotations


import pytest

from citeproof import cachefile
from citeproof.bib import load
from citeproof.bib.load import parse_bib_chunks, parse_bib_text

BASE = r"""% refs for the chunk tests
@article{alpha2020,
  author = {Alpha, Ann and Beta, Bob},
  title = {An {DNA} study of walking},
  journal = {J Walk},
  year = {2020}, volume = {1}, number = {2}, pages = {10--20},
  doi = {https://doi.org/10.1000/alpha}, pmid = {12345678}
}

@article{beta2021,
  author = {Gamma, Carl and others},
  title = "Second work",
  journal = {J Walk},
  year = 2021, volume = {2}, pages = {e5}, month = jan,
  doi = {10.1000/beta}
}

@book{proc2019,
  editor = {Editor, Eve},
  title = {Proceedings of walking \textbf},
  publisher = {Walkers Press},
  year = {2019},
  doi = {10.1000/proc}
}
@misc{site2022, author = {{World Walking Organisation}}, title = {Walking facts},
  url = {ftp://example.org/facts}, year = {2022}, identifier = {none}}
  @misc{inline2022, title = {Indented}, year = {2022}}

@article{gamma2018,
  author = {M{\"u}ller, Hans},
  title = {Third work},
  journal = {J Walk}, year = {2018}, volume = {3}, pages = {5--9},
  pmid = {PMID: 23456789}
}
"""

GAMMA = BASE[BASE.index("@article{gamma2018"):]
NEW = "\n@article{delta2017,\n  author = {Delta, Dan},\n  title = {Fourth},\n  journal = {J Walk},\n  year = {2017}\n}\n"


def _edits() -> list[tuple[str, str]]:
    """(what, text) in order: each is parsed with what the one before left."""
    title = BASE.replace("Second work", "Second work, revised")
    added = title.replace("@book{proc2019", NEW.strip() + "\n\n@book{proc2019")
    shifted = "\n\n% two lines more\n" + added.replace("  year = {2019},", "  year = {2019},\n\n")
    removed = shifted.replace(GAMMA, "")
    duplicate = removed + "\n@article{Beta2021,\n  title = {Case-only twin},\n  year = {2001}\n}\n"
    exact_dup = duplicate + "\n@misc{alpha2020, title = {Exact twin}}\n"
    first_gone = exact_dup.replace(added[added.index("@article{alpha2020"):added.index("@article{beta2021")], "")
    fault = first_gone.replace("title = {Fourth},", "title = {Fourth,")
    fixed = fault.replace("title = {Fourth,", "title = {Fourth},")
    string = "@string{jw = {J Walk}}\n" + fixed.replace("journal = {J Walk},\n  year = {2017}", "journal = jw,\n  year = {2017}")
    unstring = fixed
    crossref = unstring + "\n@incollection{child2019,\n  author = {Child, Cy},\n  title = {A chapter},\n  crossref = {proc2019}\n}\n"
    uncross = unstring
    spanning = uncross.replace("title = {Fourth},", "title = {Fourth\n@misc{not, an entry} but data},")
    last = uncross.replace("  year = {2017}\n}", "  year = {2017},\n  note = {Fourth\n@misc{not, an entry} but data}\n}")
    last_edited = last.replace("but data}", "but still data}")
    unspanned = uncross.replace("title = {Fourth},", "title = {Fourth again},")
    crlf = unspanned.replace("\n", "\r\n")
    crlf_edit = crlf.replace("Fourth again", "Fourth, CRLF")
    back = crlf_edit.replace("\r\n", "\n")
    return [("first", BASE), ("title", title), ("added", added), ("shifted", shifted),
            ("removed", removed), ("duplicate", duplicate), ("exact duplicate", exact_dup),
            ("first of the duplicates removed", first_gone), ("fault", fault), ("fault fixed", fixed),
            ("@string added", string), ("@string removed", unstring), ("crossref added", crossref),
            ("crossref removed", uncross), ("@ line in a value", spanning), ("@ line in the last value", last),
            ("its data line edited", last_edited), ("value fixed", unspanned),
            ("CRLF", crlf), ("CRLF edited", crlf_edit), ("LF again", back), ("emptied", ""),
            ("refilled", BASE)]


def _entry(e) -> tuple:
    return (e.key, e.type, list(e.fields.items()),
            [(role, [vars(p) for p in people]) for role, people in e.persons.items()])


def assert_same(got, want, some: bool = False) -> None:
    """``got`` is ``want``; with ``some``, its pybtex data may hold only some entries."""
    assert list(got.references) == list(want.references)
    for key, ref in want.references.items():
        assert got.references[key] == ref, key
        assert tuple(got.references[key].field_lines) == tuple(ref.field_lines), key
    assert got.problems == want.problems
    entries = [e for e in want.data.entries.values() if not some or e.key in got.data.entries]
    assert [_entry(e) for e in got.data.entries.values()] == [_entry(e) for e in entries]
    assert got.data.preamble_list == want.data.preamble_list


def _through_disk(known):
    """``known`` as the bib cache keeps it: pickled, read back by the cache's own unpickler."""
    return cachefile.loads(cachefile.dumps(known))


def test_every_edit_parses_as_the_whole_new_text_does(monkeypatch):
    parsed: list[int] = []
    real = load.parse_bib_text

    def spy(text, file, entries=True):
        parsed.append(len(text))
        return real(text, file, entries)

    monkeypatch.setattr(load, "parse_bib_text", spy)
    known = None
    for what, text in _edits():
        parsed.clear()
        got, known, kept = parse_bib_chunks(text, "refs.bib", known, keep=_entry, all_entries=False)
        read = sum(parsed)
        monkeypatch.setattr(load, "parse_bib_text", real)
        want = real(text, "refs.bib")
        assert_same(got, want, some=True)
        assert kept == {key: _entry(e) for key, e in want.data.entries.items()}
        assert_same(parse_bib_chunks(text, "refs.bib", known)[0], want)  # every pybtex entry
        monkeypatch.setattr(load, "parse_bib_text", spy)
        known = _through_disk(known)
        if what == "title":  # only the entry read again is in the light data
            assert list(got.data.entries) == ["beta2021"]
        if what in ("title", "added", "CRLF edited"):  # one chunk read again, not the file
            assert 0 < read < 400, (what, read)
        if what in ("shifted", "removed", "exact duplicate", "first of the duplicates removed"):
            assert read < len(text) / 2, (what, read)
        if what in ("fault", "@string added", "crossref added", "@ line in a value",
                    "@ line in the last value", "its data line edited"):
            assert read >= len(text), what  # the whole file, as one
    assert any(p.code == "duplicate-key" for p in got.problems) is False


@pytest.mark.parametrize("what", ["fault", "duplicate", "@ line in a value", "CRLF edited"])
def test_each_edit_alone_from_the_base(what):
    text = dict(_edits())[what]
    _, known, _ = parse_bib_chunks(BASE, "refs.bib")
    got, _, _ = parse_bib_chunks(text, "refs.bib", _through_disk(known))
    assert_same(got, parse_bib_text(text, "refs.bib"))


def test_a_known_chunk_moved_keeps_nothing_of_its_old_lines():
    _, known, _ = parse_bib_chunks(BASE, "refs.bib")
    moved = "\n" * 7 + GAMMA + BASE.replace(GAMMA, "")
    got, _, _ = parse_bib_chunks(moved, "refs.bib", known)
    want = parse_bib_text(moved, "refs.bib")
    assert_same(got, want)
    assert got.references["gamma2018"].line == 8
    assert [p.line for p in got.problems if p.key == "gamma2018"] == [12]


@pytest.mark.slow
def test_random_edits_of_a_bib_parse_as_the_whole_text_does(monkeypatch):
    """Lines deleted, doubled, moved and damaged at random (a fixed seed): every step's
    incremental parse is the whole text's parse."""
    import random
    rng = random.Random(20261201)
    pieces = ["@comment{a comment chunk}\n", "  @misc{mail2020, title = {Write to a@b.org}, year = {2020}}\n",
              "@article{quote2019, title = \"Quoted {and} braced\", year = 2019, month = feb}\n",
              "@article{KEY2000, title = {Case twin}}\n", "@article{bad, title = {unclosed\n",
              "@string{jw = {J Walk}}\n", "  journal = {Inserted line},\n", "@preamble{\"x\"}\n"]
    clean = BASE.splitlines(keepends=True)
    known, incremental, real = None, 0, load.parse_bib_text
    for step in range(200):
        lines = list(clean)  # each step edits the last text without an error
        kind = rng.randrange(6)
        at = rng.randrange(len(lines) + 1)
        if kind == 0 and lines:
            del lines[min(at, len(lines) - 1)]
        elif kind == 1 and lines:
            lines.insert(at, lines[rng.randrange(len(lines))])
        elif kind == 2:
            lines.insert(at, rng.choice(pieces[:5]) if rng.random() < 0.9 else rng.choice(pieces[5:]))
        elif kind == 3 and lines:
            i = rng.randrange(len(lines))
            line = lines[i]
            j = rng.randrange(len(line))
            lines[i] = line[:j] + rng.choice(["x", "}", "{", ",", "", "\n"]) + line[j + 1:]
        elif kind == 4 and len(lines) > 20:
            lines = lines[:rng.randrange(10, len(lines))]
        else:
            lines.extend(BASE.splitlines(keepends=True))
        text = "".join(lines)
        read = []
        monkeypatch.setattr(load, "parse_bib_text", lambda t, f, e=True, read=read: read.append(len(t)) or real(t, f, e))
        got, known, kept = parse_bib_chunks(text, "refs.bib", known, keep=_entry, all_entries=step % 2 == 0)
        monkeypatch.setattr(load, "parse_bib_text", real)
        want = real(text, "refs.bib")
        assert_same(got, want, some=step % 2 == 1)
        assert kept == {key: _entry(e) for key, e in want.data.entries.items()}
        incremental += sum(read) < len(text)
        if not any(p.severity == "error" and p.code != "duplicate-key" for p in want.problems) and (
                "@string" not in text and "@preamble" not in text):
            clean = lines
        if step % 10 == 0:
            known = _through_disk(known)
    assert incremental > 40  # (a fault, @string or @preamble makes a step read the whole text)
