"""A small bib of every kind of entry a site has, the edits an editor makes to it in turn,
and every bib text the tests know: what the caches' tests (``test_bibcache.py``,
``test_checkcache.py``) run on."""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "corpus"))
from cases import CASES  # noqa: E402
from scratch import FIXTURE_BIB  # noqa: E402

BIB = r"""% a comment before the first entry
@string{jwalk = "J Walk"}
@string{pub = {Walkers Press}}

@article{alpha2020,
  author = {Alpha, Ann and Beta, Bob},
  title = {An {DNA} study of walking},
  journal = jwalk,
  year = {2020}, volume = {1}, number = {2}, pages = {10--20},
  doi = {10.1000/alpha}, pmid = {12345678}
}

@article{beta2021,
  author = {Gamma, Carl and others},
  title = {Second work},
  journal = {J Walk},
  year = {2021}, volume = {2}, pages = {e5},
  doi = {10.1000/beta}
}

@book{proc2019,
  editor = {Editor, Eve},
  title = {Proceedings of walking},
  publisher = pub,
  address = {Oslo},
  year = {2019},
  doi = {10.1000/proc}
}

@incollection{child2019,
  author = {Child, Cy},
  title = {A chapter on walking},
  crossref = {proc2019},
  pages = {1--9},
  doi = {10.1000/child}
}

@misc{site2022,
  author = {{World Walking Organisation}},
  title = {Walking facts},
  url = {ftp://example.org/facts},
  year = {2022},
  identifier = {none}
}

@article{gamma2018,
  author = {M{\"u}ller, Hans},
  title = {Third work},
  journal = {J Walk}, year = {2018}, volume = {3}, pages = {5--9},
  pmid = {23456789}
}
"""

PAGES = {
    "index.md": "# Index\n\nOne [@alpha2020]. Two [@beta2021; @child2019].\n\n\\bibliography\n",
    "more.md": "# More\n\nSee [@site2022], [@gamma2018] and [@proc2019; @delta2023].\n",
}


def edits():
    """(name, bib text) in order: each an edit of the one before."""
    bib = BIB
    steps = [("first build", bib)]

    def step(name, new):
        nonlocal bib
        assert new != bib, name
        bib = new
        steps.append((name, bib))

    step("a title edited", bib.replace("Second work", "Second work, revised"))
    step("an entry added, another removed",
         re.sub(r"@article\{gamma2018,.*?\n\}\n", "", bib, flags=re.S)
         + "\n@article{delta2023,\n  author = {Delta, Dan},\n  title = {Fourth work},\n"
           "  journal = {J Walk}, year = {2023}, doi = {10.1000/delta}\n}\n")
    step("the crossref parent changed", bib.replace("address = {Oslo}", "address = {Bergen}")
         .replace("year = {2019},\n  doi = {10.1000/proc}", "year = {2019},\n  edition = {2},\n"
                  "  doi = {10.1000/proc}"))
    step("an @string used by another entry changed", bib.replace('"J Walk"', '"J Walking"'))
    step("an entry became a duplicate", bib.replace("@article{beta2021,", "@article{alpha2020,"))
    step("a key repeated in another case", bib.replace("@article{delta2023,", "@article{Alpha2020,"))
    step("lines shifted above everything",
         "% three\n% new\n% lines\n" + bib.replace("title = {Walking facts}",
                                                   "title = {Walking\n    facts}"))
    step("only the entry's layout changed", bib.replace("  pages = {1--9},\n", "  pages={1--9},\n\n"))
    step("a syntax fault", bib.replace("title = {Fourth work},", "title = {Fourth work,"))
    step("the fault fixed, a comment between entries changed",
         bib.replace("title = {Fourth work,", "title = {Fourth work},")
         .replace("% a comment before", "% another comment before"))
    step("the duplicate removed", bib.replace("@article{alpha2020,\n  author = {Gamma",
                                              "@article{beta2021,\n  author = {Gamma"))
    return steps


def project(root: Path, bib: str) -> None:
    (root / "docs").mkdir(parents=True, exist_ok=True)
    for name, text in PAGES.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    (root / "references.bib").write_text(bib, encoding="utf-8")


def every_bib() -> list[str]:
    """Every bib text of the hostile corpus, the article fixture's bib and this file's edits."""
    texts = {c["bib"] for c in CASES if isinstance(c.get("bib"), str)}
    texts |= {bib for _, bib in edits()}
    texts.add(FIXTURE_BIB)
    return sorted(texts)
