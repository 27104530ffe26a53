"""The data the readers use: TeX text macros, logos, math symbols, Unicode scripts.

Every table maps a macro name (without its backslash) to what it prints. Nothing here
is executed; a name that is in no table is an unknown macro (see :mod:`.tex`).
"""
from __future__ import annotations

# --------------------------------------------------------------------------- text mode

#: accent control sequences -> the combining character they put on the next letter
ACCENTS: dict[str, str] = {
    "`": "\u0300", "'": "\u0301", "^": "\u0302", "~": "\u0303", "=": "\u0304", "u": "\u0306",
    ".": "\u0307", '"': "\u0308", "r": "\u030a", "H": "\u030b", "v": "\u030c", "d": "\u0323",
    "c": "\u0327", "k": "\u0328", "b": "\u0331", "t": "\u0361", "G": "\u030f", "U": "\u030e",
    "textcircled": "\u20dd",
}
#: the spacing form of an accent put on nothing (``\'{}``)
SPACING_ACCENTS: dict[str, str] = {
    "`": "`", "'": "\u00b4", "^": "^", "~": "~", "=": "\u00af", "u": "\u02d8", ".": "\u02d9",
    '"': "\u00a8", "r": "\u02da", "H": "\u02dd", "v": "\u02c7", "c": "\u00b8", "k": "\u02db",
}

#: text symbols: standard LaTeX (kernel, textcomp, fontenc T1), inputenc's names
SYMBOLS: dict[str, str] = {
    # control symbols
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ",
    "\t": " ", "\n": " ", "\r": " ", ",": "\u2009", "/": "", "-": "", "@": "", "\\": " ",
    ";": " ", ":": " ", ">": " ", "!": "", "|": "\u2016",
    # letters
    "o": "ø", "O": "Ø", "ss": "ß", "SS": "SS", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ",
    "oe": "œ", "OE": "Œ", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "dj": "đ", "DJ": "Đ", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "ij": "ĳ", "IJ": "Ĳ",
    "texteth": "ð", "textthorn": "þ", "textschwa": "ə", "textturna": "ɐ",
    # punctuation and signs
    "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^", "textasciigrave": "`", "textbar": "|",
    "textless": "<", "textgreater": ">", "textunderscore": "_", "textbraceleft": "{",
    "textbraceright": "}", "textdollar": "$", "textquotedbl": '"', "textquotesingle": "'",
    "textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“",
    "textquotedblright": "”", "lq": "‘", "rq": "’", "textendash": "–", "textemdash": "—",
    "textellipsis": "…", "dots": "…", "ldots": "…", "textregistered": "®",
    "texttrademark": "™", "textcopyright": "©", "copyright": "©", "S": "§", "P": "¶",
    "textsection": "§", "textparagraph": "¶", "dag": "†", "ddag": "‡", "textdagger": "†",
    "textdaggerdbl": "‡", "pounds": "£", "textsterling": "£", "euro": "€", "texteuro": "€",
    "textdegree": "°", "textmu": "µ", "textperthousand": "‰", "textpertenthousand": "‱",
    "textbullet": "•", "textperiodcentered": "·", "guillemotleft": "«",
    "guillemotright": "»", "guillemetleft": "«", "guillemetright": "»", "guilsinglleft": "‹",
    "guilsinglright": "›", "quotedblbase": "„", "quotesinglbase": "‚", "textexclamdown": "¡",
    "textquestiondown": "¿", "textordfeminine": "ª", "textordmasculine": "º",
    "textonehalf": "½", "textonequarter": "¼", "textthreequarters": "¾", "texttimes": "×",
    "textdiv": "÷", "textpm": "±", "textminus": "−", "textcent": "¢", "textyen": "¥",
    "textvisiblespace": "␣", "textnumero": "№", "textcelsius": "℃", "textohm": "Ω",
    "textmho": "℧", "textonesuperior": "¹", "texttwosuperior": "²", "textthreesuperior": "³",
    "textasteriskcentered": "∗", "textcompwordmark": "", "textfractionsolidus": "⁄",
    "textlangle": "〈", "textrangle": "〉", "textleftarrow": "←", "textrightarrow": "→",
    "textuparrow": "↑", "textdownarrow": "↓", "textbrokenbar": "¦", "textcurrency": "¤",
    "textflorin": "ƒ", "textwon": "₩", "textnaira": "₦", "textpeso": "₱", "textbaht": "฿",
    "textlira": "₤", "textdong": "₫", "textreferencemark": "※", "textinterrobang": "‽",
    "textestimated": "℮", "textservicemark": "℠", "textrecipe": "℞", "textdiscount": "⁒",
    "checkmark": "✓", "slash": "/", "hyphen": "-", "nobreakdash": "",
    "textnbhyphen": "\u2011", "nobreakspace": "\u00a0", "textnospace": "",
    # spaces and breaks that print as a space, or nothing
    "thinspace": "\u2009", "enspace": " ", "enskip": " ", "quad": " ", "qquad": " ",
    "space": " ", "hfil": " ", "hfill": " ", "hss": "", "break": " ", "linebreak": " ",
    "newline": " ", "par": " ", "allowbreak": "", "nobreak": "", "relax": "", "protect": "",
    "null": "", "leavevmode": "", "unskip": "", "ignorespaces": "", "noindent": "",
    "xspace": "", "nolinebreak": "", "strut": "", "bgroup": "", "egroup": "",
    "normalfont": "", "sloppy": "", "noexpand": "", "hbadness": "",
    # biblatex punctuation commands
    "addspace": " ", "addnbspace": "\u00a0", "addthinspace": "\u2009",
    "addnbthinspace": "\u202f", "addlowpenspace": " ", "addhighpenspace": " ",
    "addlpthinspace": "\u2009", "addhpthinspace": "\u2009", "addabbrvspace": " ",
    "addabthinspace": "\u2009", "adddotspace": ". ", "addslash": "/", "adddot": ".",
    "addcomma": ",", "addsemicolon": ";", "addcolon": ":", "addperiod": ".",
    "addquestion": "?", "addexclam": "!", "isdot": "", "nopunct": "", "unspace": "",
    "bibrangedash": "–", "bibdatedash": "–", "textopenbullet": "◦",
}

#: formatting commands with one argument -> the mark they put on it ("" = none)
FORMAT_COMMANDS: dict[str, str] = {
    "emph": "italic", "textit": "italic", "textsl": "italic", "mkbibemph": "italic",
    "mkbibitalic": "italic", "textbf": "bold", "mkbibbold": "bold", "textsc": "smallcaps",
    "mkbibacro": "smallcaps", "texttt": "mono", "textsuperscript": "sup",
    "mkbibsuperscript": "sup", "textsubscript": "sub", "mkbibsubscript": "sub",
    "textrm": "", "textsf": "", "textup": "", "textmd": "", "textnormal": "", "text": "",
    "mbox": "", "hbox": "", "fbox": "", "makebox": "", "framebox": "", "textlatin": "",
    "textgreek": "", "textcyrillic": "", "rlap": "", "llap": "", "smash": "", "autocap": "",
    "underline": "", "uline": "", "textlf": "", "textulc": "", "textssc": "smallcaps",
    "NoCaseChange": "", "MakeUppercase": "", "MakeLowercase": "", "mkbibnamefamily": "",
    "mkbibnamegiven": "", "lowercase": "", "uppercase": "", "vbox": "", "protected": "",
    "ensuremath": "", "bibstring": "", "biblstring": "", "bibsstring": "", "mkbibordinal": "",
    "IfSubStr": "",
}
#: font declarations (``{\it x}``) -> the mark they put on the rest of their group
DECLARATIONS: dict[str, str] = {
    "it": "italic", "itshape": "italic", "em": "italic", "sl": "italic", "slshape": "italic",
    "bf": "bold", "bfseries": "bold", "sc": "smallcaps", "scshape": "smallcaps",
    "tt": "mono", "ttfamily": "mono", "rm": "", "rmfamily": "", "sf": "", "sffamily": "",
    "upshape": "", "mdseries": "", "normalsize": "", "small": "", "footnotesize": "",
    "scriptsize": "", "tiny": "", "large": "", "Large": "", "LARGE": "", "huge": "",
    "Huge": "", "boldmath": "", "unboldmath": "",
}
#: commands whose arguments print nothing: name -> number of arguments
SWALLOW: dict[str, int] = {
    "label": 1, "index": 1, "footnote": 1, "footnotetext": 1, "thanks": 1, "vspace": 1,
    "phantom": 1, "vphantom": 1, "hphantom": 1, "color": 1, "selectlanguage": 1,
    "hyphenation": 1, "pagecolor": 1, "nocite": 1, "glossary": 1, "bibitemsep": 0,
}
#: commands with two arguments that print their second (``\href{url}{text}``)
SECOND_OF_TWO = frozenset({"href", "textcolor", "foreignlanguage", "otherlanguage",
                           "colorbox", "hyperlink", "hypertarget"})
#: commands with two arguments that print their first (``\texorpdfstring{tex}{pdf}``)
FIRST_OF_TWO = frozenset({"texorpdfstring"})
#: commands whose one argument is read verbatim and printed in a monospaced font
VERBATIM = frozenset({"url", "nolinkurl", "path", "verb", "doi", "email"})
#: spacing and dimension commands: a dimen (``\kern-.15em``) or glue follows
DIMENSION_COMMANDS: dict[str, str] = {"kern": "", "hskip": " ", "vskip": "", "raise": "",
                                      "lower": "", "mkern": "", "mskip": " ", "hspace": " ",
                                      "hspace*": " "}

#: TeX-world logos (kernel, texnames, metalogo, dtklogos, hologo, bibtex): printed text
LOGOS: dict[str, str] = {
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2ε", "LaTeXTeX": "(La)TeX",
    "AllTeX": "(La)TeX", "BibTeX": "BibTeX", "BibLaTeX": "BibLaTeX", "biblatex": "biblatex",
    "AmS": "AMS", "AMS": "AMS", "AmSTeX": "AMS-TeX", "AMSTeX": "AMS-TeX",
    "AmSLaTeX": "AMS-LaTeX", "AMSLaTeX": "AMS-LaTeX", "SliTeX": "SliTeX", "SLITEX": "SliTeX",
    "MF": "METAFONT", "METAFONT": "METAFONT", "MP": "MetaPost", "METAPOST": "MetaPost",
    "MetaPost": "MetaPost", "eTeX": "ε-TeX", "pdfTeX": "pdfTeX", "pdfLaTeX": "pdfLaTeX",
    "XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX",
    "ConTeXt": "ConTeXt", "PiCTeX": "PiCTeX", "LyX": "LyX", "NTS": "NTS", "ExTeX": "ExTeX",
    "KOMAScript": "KOMA-Script", "MiKTeX": "MiKTeX", "TikZ": "TikZ", "CTAN": "CTAN",
    "DANTE": "DANTE", "TeXLive": "TeX Live", "LAMSTeX": "LAMS-TeX", "XyMTeX": "XyMTeX",
    "Xy": "Xy", "Xypic": "Xy-pic", "JTeX": "JTeX", "PCTeX": "PCTeX", "eOmega": "e-Omega",
    "OMEGA": "Omega", "Aleph": "Aleph", "ConTeXT": "ConTeXt", "CONTEXT": "ConTeXt",
    "BibTeXe": "BibTeX", "plainTeX": "plain TeX", "TeXbook": "The TeXbook",
}
#: ``\hologo{name}``: the name is looked up in :data:`LOGOS` (else printed as written)
HOLOGO = "hologo"

#: TUGboat's own macros (tugboat.def, not standard LaTeX): each is read as TUGboat prints
#: it, and reported (code ``nonstandard-macro``): name -> (arguments, text printed before
#: the argument, mark on the argument)
TUGBOAT: dict[str, tuple[int, str, str]] = {
    "TUB": (0, "TUGboat", ""), "TUG": (0, "TUG", ""), "Dash": (0, "\u2009—\u2009", ""),
    "dash": (0, "\u2009—\u2009", ""), "acro": (1, "", "smallcaps"), "bs": (0, "\\", ""),
    "PS": (0, "PostScript", ""), "VAX": (0, "VAX", ""), "SC": (0, "SC", ""),
    "smc": (0, "", "smallcaps"), "SMC": (0, "", "smallcaps"), "ssf": (0, "", ""),
    "sltt": (0, "", "mono"), "slc": (0, "", "smallcaps"), "cs": (1, "\\", "mono"),
    "tubissue": (0, "TUGboat ", ""), "Abstract": (0, "", ""), "UNIX": (0, "UNIX", ""),
    "XML": (0, "XML", ""), "HTML": (0, "HTML", ""), "SGML": (0, "SGML", ""),
    "PDF": (0, "PDF", ""), "WEB": (0, "WEB", ""), "CSTUG": (0, "CSTUG", ""),
    "NTG": (0, "NTG", ""), "Java": (0, "Java", ""), "La": (0, "La", ""),
    "slMF": (0, "METAFONT", "italic"), "slBibTeX": (0, "BibTeX", "italic"),
    "MacOSX": (0, "Mac OS X", ""), "eightrm": (0, "", ""), "ninesmc": (0, "", "smallcaps"),
    "plain": (0, "plain", ""), "TeXMaG": (0, "TeXMaG", ""), "mtex": (0, "MTeX", ""),
    "MTeX": (0, "MTeX", ""), "manual": (0, "", ""), "otr": (0, "output routine", ""),
    "uktug": (0, "UK TUG", ""), "PiC": (0, "PiC", ""), "Tib": (0, "Tib", ""),
    "TeXtures": (0, "Textures", ""), "VorTeX": (0, "VorTeX", ""), "XYMTeX": (0, "XyMTeX", ""),
    "XyM": (0, "XyM", ""), "TeXML": (0, "TeXML", ""), "PreTeX": (0, "PreTeX", ""),
    "DVItoVDU": (0, "DVItoVDU", ""), "BaSiX": (0, "BaSiX", ""), "JemTeX": (0, "JemTeX", ""),
    "archiTeX": (0, "archiTeX", ""), "LexiTeX": (0, "LexiTeX", ""), "NexTeX": (0, "NexTeX", ""),
    "FDNTeX": (0, "FDNTeX", ""), "GeX": (0, "GeX", ""), "mathsPIC": (0, "mathsPIC", ""),
    "NetBibTeX": (0, "NetBibTeX", ""), "WARMreader": (0, "WARMreader", ""),
    "warmreader": (0, "warmreader", ""), "curve": (0, "curve", ""), "Mc": (0, "Mc", ""),
}
#: ordinal suffixes (``\nth{4}``, nth.sty)
NTH = "nth"

#: commands that define, read or write files or run programs: never executed, never
#: printed; each is reported (code ``ignored-macro``)
NEVER_RUN = frozenset({
    "def", "edef", "gdef", "xdef", "let", "futurelet", "newcommand", "renewcommand",
    "providecommand", "DeclareRobustCommand", "newenvironment", "renewenvironment",
    "input", "include", "includeonly", "InputIfFileExists", "write", "immediate", "openout",
    "openin", "closeout", "closein", "read", "readline", "special", "catcode", "csname",
    "endcsname", "expandafter", "usepackage", "RequirePackage", "documentclass",
    "begin", "end", "makeatletter", "makeatother", "input@path", "jobname", "shipout",
    "output", "everypar", "afterassignment", "aftergroup", "uccode", "lccode", "mathcode",
    "directlua", "latelua", "pdfprimitive", "write18", "ShellEscape", "newwrite", "newread",
    "loop", "repeat", "if", "ifx", "else", "fi", "ifnum", "ifdim", "iftrue", "iffalse",
    "halign", "valign", "noalign", "vtop", "errmessage", "message", "typeout",
    "show", "showthe", "the", "number", "romannumeral", "string", "meaning",
})

# --------------------------------------------------------------------------- math mode

GREEK: dict[str, str] = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "varkappa": "ϰ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π",
    "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ",
    "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "digamma": "ϝ",
    "Alpha": "Α", "Beta": "Β", "Epsilon": "Ε", "Zeta": "Ζ", "Eta": "Η", "Iota": "Ι",
    "Kappa": "Κ", "Mu": "Μ", "Nu": "Ν", "Omicron": "Ο", "Rho": "Ρ", "Tau": "Τ", "Chi": "Χ",
    "upalpha": "α", "upbeta": "β", "upgamma": "γ", "updelta": "δ", "upmu": "μ", "uppi": "π",
}
MATH_SYMBOLS: dict[str, str] = {
    **GREEK,
    # binary operators
    "pm": "±", "mp": "∓", "times": "×", "div": "÷", "cdot": "⋅", "ast": "∗", "star": "⋆",
    "circ": "∘", "bullet": "∙", "oplus": "⊕", "ominus": "⊖", "otimes": "⊗", "oslash": "⊘",
    "odot": "⊙", "cap": "∩", "cup": "∪", "uplus": "⊎", "sqcap": "⊓", "sqcup": "⊔",
    "vee": "∨", "wedge": "∧", "lor": "∨", "land": "∧", "setminus": "∖", "wr": "≀",
    "dagger": "†", "ddagger": "‡", "amalg": "⨿", "diamond": "⋄", "bigtriangleup": "△",
    "bigtriangledown": "▽", "triangleleft": "◃", "triangleright": "▹", "bigcirc": "◯",
    # relations
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "equiv": "≡",
    "approx": "≈", "sim": "∼", "simeq": "≃", "cong": "≅", "propto": "∝", "ll": "≪",
    "gg": "≫", "prec": "≺", "succ": "≻", "preceq": "⪯", "succeq": "⪰", "subset": "⊂",
    "supset": "⊃", "subseteq": "⊆", "supseteq": "⊇", "in": "∈", "ni": "∋", "notin": "∉",
    "perp": "⊥", "parallel": "∥", "mid": "∣", "vdash": "⊢", "dashv": "⊣", "models": "⊨",
    "asymp": "≍", "doteq": "≐", "lesssim": "≲", "gtrsim": "≳", "leqslant": "⩽",
    "geqslant": "⩾", "triangleq": "≜", "coloneqq": "≔",
    # arrows
    "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←", "leftrightarrow": "↔",
    "Rightarrow": "⇒", "Leftarrow": "⇐", "Leftrightarrow": "⇔", "longrightarrow": "⟶",
    "longleftarrow": "⟵", "Longrightarrow": "⟹", "mapsto": "↦", "hookrightarrow": "↪",
    "hookleftarrow": "↩", "uparrow": "↑", "downarrow": "↓", "updownarrow": "↕",
    "Uparrow": "⇑", "Downarrow": "⇓", "nearrow": "↗", "searrow": "↘", "rightleftharpoons": "⇌",
    "leftrightarrows": "⇆", "rightleftarrows": "⇄", "iff": "⟺", "implies": "⟹",
    # big operators and misc
    "sum": "∑", "prod": "∏", "coprod": "∐", "int": "∫", "iint": "∬", "oint": "∮",
    "bigcup": "⋃", "bigcap": "⋂", "bigoplus": "⨁", "bigotimes": "⨂", "bigvee": "⋁",
    "bigwedge": "⋀", "infty": "∞", "partial": "∂", "nabla": "∇", "forall": "∀",
    "exists": "∃", "nexists": "∄", "neg": "¬", "lnot": "¬", "emptyset": "∅",
    "varnothing": "∅", "aleph": "ℵ", "beth": "ℶ", "hbar": "ℏ", "hslash": "ℏ", "ell": "ℓ",
    "wp": "℘", "Re": "ℜ", "Im": "ℑ", "prime": "′", "angle": "∠", "triangle": "△",
    "surd": "√", "top": "⊤", "bot": "⊥", "flat": "♭", "natural": "♮", "sharp": "♯",
    "clubsuit": "♣", "diamondsuit": "♢", "heartsuit": "♡", "spadesuit": "♠", "degree": "°",
    "langle": "⟨", "rangle": "⟩", "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊", "rfloor": "⌋",
    "lbrace": "{", "rbrace": "}", "lbrack": "[", "rbrack": "]", "vert": "|", "Vert": "‖",
    "backslash": "\\", "ldots": "…", "cdots": "⋯", "vdots": "⋮", "ddots": "⋱", "dots": "…",
    "dotsc": "…", "dotsb": "⋯", "colon": ":", "AA": "Å", "checkmark": "✓", "square": "□",
    "blacksquare": "■", "Box": "□", "lozenge": "◊", "because": "∵", "therefore": "∴",
    "cdotp": "⋅", "ldotp": ".", "micro": "µ", "textdegree": "°", "$": "$", "%": "%",
    "&": "&", "#": "#", "_": "_", "{": "{", "}": "}", "|": "‖", "ohm": "Ω", "celsius": "℃",
    "dag": "†", "ddag": "‡", "S": "§", "P": "¶", "textbackslash": "\\", "lvert": "|",
    "rvert": "|", "lVert": "‖", "rVert": "‖", "smallsetminus": "∖", "complement": "∁",
    "mho": "℧", "imath": "ı", "jmath": "ȷ",
}
#: spacing in math
MATH_SPACES: dict[str, str] = {",": "\u2009", ";": " ", ":": " ", ">": " ", "!": "",
                               " ": " ", "quad": " ", "qquad": " ", "thinspace": "\u2009",
                               "enspace": " ", "medspace": " ", "thickspace": " ",
                               "negthinspace": "", "\\": " ", "nobreak": "", "relax": "",
                               "displaystyle": "", "textstyle": "", "scriptstyle": "",
                               "limits": "", "nolimits": "", "big": "", "Big": "",
                               "bigg": "", "Bigg": "", "bigl": "", "bigr": "", "Bigl": "",
                               "Bigr": "", "biggl": "", "biggr": "", "left": "", "right": "",
                               "middle": "", "protect": "", "allowbreak": ""}
#: operator names printed upright as words
MATH_FUNCTIONS = frozenset({
    "log", "ln", "lg", "exp", "sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh",
    "tanh", "coth", "arcsin", "arccos", "arctan", "lim", "liminf", "limsup", "min", "max",
    "inf", "sup", "det", "dim", "ker", "deg", "gcd", "hom", "arg", "Pr", "mod", "bmod",
    "tr", "Tr", "erf", "sgn", "var", "Var", "cov", "Cov",
})
#: font commands in math -> the mark (or a letter map name) they give their argument
MATH_FONTS: dict[str, str] = {
    "mathrm": "", "mathup": "", "mathnormal": "", "mathit": "italic", "mathbf": "bold",
    "boldsymbol": "bold", "bm": "bold", "mathsf": "", "mathtt": "mono", "text": "",
    "textrm": "", "textnormal": "", "mbox": "", "hbox": "", "textit": "italic",
    "textbf": "bold", "texttt": "mono", "textsf": "", "textup": "", "operatorname": "",
    "mathbb": "bb", "mathcal": "cal", "mathscr": "cal", "mathfrak": "frak", "textsc": "smallcaps",
    "emph": "italic", "ensuremath": "", "mathord": "", "mathop": "", "mathbin": "",
    "mathrel": "", "mathopen": "", "mathclose": "", "mathpunct": "", "underline": "",
}
#: math accents -> combining character
MATH_ACCENTS: dict[str, str] = {
    "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
    "tilde": "\u0303", "widetilde": "\u0303", "dot": "\u0307", "ddot": "\u0308",
    "vec": "\u20d7", "check": "\u030c", "breve": "\u0306", "acute": "\u0301",
    "grave": "\u0300", "mathring": "\u030a", "overrightarrow": "\u20d7",
}

# --------------------------------------------------------------------------- scripts

SUPERSCRIPTS: dict[str, str] = dict(zip(
    "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδεθιφχ ",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᵋᶿᶥᶲᵡ "))
SUBSCRIPTS: dict[str, str] = dict(zip(
    "0123456789+-−=()aehijklmnoprstuvxəβγρφχ ",
    "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓₔᵦᵧᵨᵩᵪ "))
SUPERSCRIPTS.update({"′": "′", "∗": "*", "*": "*", "·": "·", "∘": "°", "°": "°"})

#: double-struck, calligraphic and fraktur capitals (\mathbb, \mathcal, \mathfrak)
_BB_EXCEPTIONS = {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"}
_CAL_EXCEPTIONS = {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ", "M": "ℳ", "R": "ℛ"}
_FRAK_EXCEPTIONS = {"C": "ℭ", "H": "ℌ", "I": "ℑ", "R": "ℜ", "Z": "ℨ"}


def _letters(start: int, exceptions: dict[str, str]) -> dict[str, str]:
    return {c: exceptions.get(c, chr(start + i)) for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


LETTER_STYLES: dict[str, dict[str, str]] = {
    "bb": {**_letters(0x1D538, _BB_EXCEPTIONS), **{str(d): chr(0x1D7D8 + d) for d in range(10)}},
    "cal": _letters(0x1D49C, _CAL_EXCEPTIONS),
    "frak": _letters(0x1D504, _FRAK_EXCEPTIONS),
}

#: Unicode in MathML -> TeX math (for writing MathML as TeX source)
UNICODE_TO_MATH: dict[str, str] = {}
for _name, _char in MATH_SYMBOLS.items():
    if len(_char) == 1 and not _char.isascii() and _name.isalpha():
        UNICODE_TO_MATH.setdefault(_char, "\\" + _name)
UNICODE_TO_MATH.update({"−": "-", "∶": ":", "ε": "\\varepsilon", "ϵ": "\\epsilon",
                        "φ": "\\varphi", "ϕ": "\\phi", "…": "\\ldots", "·": "\\cdot",
                        "⋅": "\\cdot", "′": "'", "″": "''", "∣": "|", "\u2061": "",
                        "\u2062": "", "\u2063": "", "\u2064": "", "\u00a0": "\\ ",
                        "\u2009": "\\,", "\u200a": "\\,", "\u2005": "\\;", "µ": "\\mu",
                        "Å": "\\AA", "°": "^{\\circ}", "ℏ": "\\hbar", "∼": "\\sim",
                        "⟨": "\\langle", "⟩": "\\rangle", "〈": "\\langle", "〉": "\\rangle"})
del _name, _char
