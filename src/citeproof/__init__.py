"""citeproof: citations that are provably real.

One citation core (bib loading, Markdown citation parsing, numbering, a pybtex
style) shared by a MkDocs plugin and by ``citeproof check``, which resolves every
DOI and PubMed ID against Crossref, doi.org and NCBI E-utilities.
"""

__version__ = "0.1.0"
