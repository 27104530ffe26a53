"""The editor commands over the registries and the bib editor: ``add``, ``fix``, ``find``.

:mod:`.entry` turns registry records into bib field values and entries (pure);
:mod:`.fetch` asks the registries about identifiers with the checker's clients;
:mod:`.add`, :mod:`.fix` and :mod:`.find` are one command each. Every change to the bib
goes through :class:`citeproof.bib.editor.BibEditor`, so what is not changed stays
byte for byte and a save is atomic.
"""
