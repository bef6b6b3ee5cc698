"""German sentence splitting, tuned for news text.

The splitter decides the units the model translates, so both of its errors cost
something — but not equally: a missed boundary only makes a unit longer, while a false
one tears a sentence apart and the model translates two fragments. Every rule here
therefore leans towards keeping text together, and splits only on positive evidence.

A candidate boundary is terminal punctuation (``.``, ``!``, ``?``) plus optional closing
quotes or brackets, followed by whitespace and something that can start a sentence. A
period then needs a second look, because in German it also marks ordinals (``13. Juli``),
abbreviations (``z. B.``, ``Dr.``), initials and dotted forms (``U.S.``). The rules for
those, and the cases where such a period does end a sentence (``Formel 1. Max``,
``auf 2.936. Aktuell``, ``Obst usw. Das``, ``auf seine Art. Dann``, ``unter spiegel.de.
Dort``), are in :func:`_period_ends_sentence`.
"""

from __future__ import annotations

import re

# Abbreviations that end in a period but rarely end a sentence (lower-cased, without the
# final period). Multi-part ones ("z. B.", "u. a.") are covered by the one-letter rule.
GERMAN_ABBREVIATIONS = frozenset(
    """
    abb abs abt adr allg anm art aufl ausg bd bde bearb beil betr bez bhf bspw bzgl bzw ca
    chr co corp dgl dipl dr dt ebd ehem einschl entspr erg etc ev evtl exkl fa fam ff fr frl
    geb gebr gegr gem ges gest ggf gr hbf hl hr hrn hrsg inc inkl insb jh jhd jhdt jr kap kath
    kfm kl lfd lt ltd max mag med mio mind min mrd mr mrs ms mwst nachf nr nrn o.ä od og
    op orig pfd phil pkt pl pos pp prof prov rd rel resp rk sek sen sep sept sog spez st
    std str stv tab tel teilw tsd übers urspr usf usw v.a verf vgl vj vol vs wg wiss zb zt
    ziff zit zzgl jan feb febr mär apr jun jul aug okt nov dez mo di mi do sa so
    """.split()
)

# Abbreviations that close an enumeration and so usually close the sentence too: they end
# it whenever a capitalised word follows ("Äpfel, Birnen usw. Das alles …").
ENUMERATION_ENDINGS = frozenset({"etc", "usw", "usf"})

# Multi-part abbreviations that close an enumeration ("und vieles mehr", "unter anderem",
# "oder Ähnliches"), written with or without spaces. "u. v. m." ends the sentence before any
# capitalised word; the others also occur inside one ("Hefte o. ä. Material"), so they end
# it only before a pronoun, conjunction or adverb (not an article: "u. a. Der Spiegel").
ENUMERATION_TAILS = {"u.v.m": "capital", "u.a": "starter", "o.ä": "starter", "u.ä": "starter"}

# Abbreviations that never end a sentence: something always follows them ("Dr. Müller",
# "vgl. Kapitel 3", "bzw. Die Zeit").
NEVER_FINAL = frozenset(
    """
    abb abs bspw bzgl bzw ca dipl dr einschl evtl exkl fr frl ggf gebr hl hr hrn inkl insb
    kap lt mr mrs ms nr nrn prof sog st tab vgl vs zb ziff zzgl sen jr mag
    """.split()
)

# Abbreviations that are also ordinary lower-case words; in lower case they are the word
# ("Das ist so. Er …", "Sie mag. Er …"), capitalised they are the abbreviation ("So." for
# Sonntag, "Mag." for Magister).
WORD_NOT_ABBREVIATION = frozenset({"so", "mag"})

MONTHS = frozenset(
    "januar jänner februar märz april mai juni juli august september oktober november dezember".split()
)

# Closed-class words that begin sentences and cannot follow an ordinal or an abbreviation
# inside one: after "1." or "Art." they are evidence of a new sentence. Nouns, adjectives
# and names are deliberately absent ("am 3. Morgen", "Formel 1. Rennen").
SENTENCE_STARTERS = frozenset(
    """
    der die das den dem des ein eine einen einem einer eines er sie es ich wir ihr man
    dies diese dieser dieses diesen jene jener dort hier da dann danach damit dabei dafür
    dagegen daher darum deshalb deswegen dennoch doch aber und oder denn sondern auch noch
    schon nun jetzt bisher inzwischen mittlerweile zudem außerdem allerdings trotzdem somit
    also zwar immerhin vielmehr stattdessen zunächst schließlich anschließend später damals
    seitdem bereits insgesamt laut demnach dazu darin darauf darüber davon in im am an auf
    aus bei beim mit von vom zu zum zur für gegen ohne um über unter zwischen während wegen
    trotz seit bis durch als wie wenn weil obwohl ob dass was wer wo wann warum welche
    welcher welches kein keine keinen alle viele manche einige mehrere jeder jede jedes
    seine sein seinen seinem seiner ihre ihren ihrem ihrer unser unsere mein meine deren
    dessen so sogar nur erst gerade ja nein
    """.split()
)
_ARTICLES = frozenset("der die das den dem des ein eine einen einem einer eines".split())

# Words after which a short number with a period is an ordinal ("am 13.", "der 1. FC",
# "ihr 3. Album"); after a noun it is a cardinal that ends the sentence ("Formel 1.").
ORDINAL_CONTEXT = frozenset(
    """
    der die das dem den des am im zum zur vom beim ins ans bis ab seit vor nach und oder
    bzw sowie ein eine einem einer eines mein meine meinem meiner dein deine sein seine
    seinem seiner seinen ihr ihre ihrem ihrer ihren unser unsere unserem unserer euer jeder
    jede jedem jeden dieser diese diesem diesen dieses am
    """.split()
)

_CLOSERS = "\"'“”‘’«»)]"
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace.
_BOUNDARY = re.compile(r"([.!?…]+)([" + re.escape(_CLOSERS) + r"]*)(\s+)")
_WORD_BEFORE = re.compile(r"(\S+)$")
_OPENERS = "\"'„“‚‘«»([–—-"
# What a sentence may start with besides a capital letter or digit: quotes, dashes and the
# markers of lists and quotations ("* Punkt", "# Titel", "> Zitat", "• Punkt").
_START_MARKS = _OPENERS + "*#>•·▪‣◦●■→"
_SEPARATED_NUMBER = re.compile(r"\d+(?:[.,:]\d+)+")
_DAY_MONTH = re.compile(r"(\d{1,2})\.(\d{1,2})")
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*\.([a-z]{2,})(?:/\S*)?")


def _is_sentence_start(following: str) -> bool:
    """Could the text after a boundary start a new sentence?"""
    if not following:
        return False
    ch = following[0]
    if ch in "#>*" and following[1:].lstrip()[:1].isdigit():
        return False  # "> 30 Grad", "#1 der Charts": not a marker
    return ch.isupper() or ch.isdigit() or ch in _START_MARKS


def _enumeration_tail(words: list[str]) -> str | None:
    """The enumeration tail ("u.a", "u.v.m", …) that ``words`` (whose last period is cut) end with."""
    if not words:
        return None
    lowered = [w.lstrip(_OPENERS).lower() for w in words]
    for tail in ENUMERATION_TAILS:
        parts = tail.split(".")
        spaced = lowered[-len(parts) :]
        if spaced == [p + "." for p in parts[:-1]] + [parts[-1]] or lowered[-1] == tail:
            return tail
    return None


def _next_word(following: str) -> str:
    """The word after a boundary, without quotes and trailing punctuation."""
    parts = following.split(maxsplit=1)
    return parts[0].strip(_OPENERS + _CLOSERS + ",;:.!?") if parts else ""


def _is_link(word: str) -> bool:
    """A URL, e-mail address or bare domain ("spiegel.de", "www.zeit.de/politik")."""
    if "@" in word or "://" in word or word.lower().startswith("www."):
        return True
    match = _DOMAIN.fullmatch(word)
    return bool(match) and any(len(part) >= 3 for part in word.split("/")[0].split("."))


def _number_ends_sentence(number: str, previous: str, next_word: str) -> bool:
    """Does ``number.`` end the sentence, given the words around it?"""
    starter = next_word.lower() in SENTENCE_STARTERS and next_word[:1].isupper()
    if next_word.lower() in MONTHS:
        return False  # "am 13. Juli", "1.2. März"
    if _SEPARATED_NUMBER.fullmatch(number):
        day_month = _DAY_MONTH.fullmatch(number)
        if day_month and int(day_month.group(2)) <= 12:
            return starter  # "am 13.07. fand …" is a date
        # "auf 2.936. Aktuell", "um 20.15. Danach": no ordinal has a separator.
        return next_word[:1].isupper()
    if len(number) >= 4:
        return True  # a year: "Sie wurde 1990. Geboren …"
    if starter:
        return True  # "Platz 3. Der …": no ordinal precedes an article or pronoun
    # A short number after a noun is a cardinal that closes the sentence ("Formel 1. Max
    # Verstappen …"); after an article or preposition it is an ordinal ("am 3. Oktober").
    bare_previous = previous.strip(_OPENERS + _CLOSERS + ",;:")
    return (
        bare_previous[:1].isupper()
        and bare_previous.isalpha()
        and bare_previous.lower() not in ORDINAL_CONTEXT
        and next_word[:1].isupper()
    )


def _period_ends_sentence(before: str, following: str) -> bool:
    """Decide whether a single period after ``before`` ends a sentence."""
    words = before.split()
    if not words:
        return True
    word = words[-1].lstrip(_OPENERS)
    bare = word.rstrip(".")
    if not bare:
        return True
    next_word = _next_word(following)
    tail = _enumeration_tail(words)
    if tail is not None:
        if ENUMERATION_TAILS[tail] == "capital":
            return next_word[:1].isupper()
        lower_next = next_word.lower()
        return next_word[:1].isupper() and lower_next in SENTENCE_STARTERS and lower_next not in _ARTICLES
    if bare[0].isdigit() and (bare.isdigit() or _SEPARATED_NUMBER.fullmatch(bare)):
        previous = words[-2] if len(words) > 1 else ""
        return _number_ends_sentence(bare, previous, next_word)
    if len(bare) == 1 and bare.isalpha():
        return False  # initials (J. R. R. Tolkien) and parts of z. B., u. a., d. h.
    if _is_link(bare):
        return True  # "… unter spiegel.de. Dort …"
    lower = bare.lower()
    if lower in WORD_NOT_ABBREVIATION and bare.islower():
        return True  # "Das ist so. Er …": the word, not the abbreviation
    if lower in ENUMERATION_ENDINGS:
        return next_word[:1].isupper()
    if lower in GERMAN_ABBREVIATIONS:
        if lower in NEVER_FINAL:
            return False
        # "auf seine Art. Dann …", "im 19. Jh. Die Stadt …", "3 Mio. Das …"
        return next_word.lower() in SENTENCE_STARTERS and next_word[:1].isupper()
    return "." not in bare  # dotted forms (z.B., U.S., d.h.) do not end sentences


_PLAIN_WORD = re.compile(r"[^\W\d_]{3,}")


def _lowercase_start_after(before: str, punct: str, following: str) -> bool:
    """A sentence that starts in lower case ("iPhone-Nutzer …", "und dann …" after a typo),
    after an ordinary word that ends the one before: no abbreviation, no number, no initial."""
    if punct != "." or not following[:1].islower():
        return False
    words = before.split()
    word = words[-1].strip(_OPENERS + _CLOSERS) if words else ""
    nxt = _next_word(following)
    return (
        bool(_PLAIN_WORD.fullmatch(word))
        and word.lower() not in GERMAN_ABBREVIATIONS
        and len(nxt) >= 2
        and nxt[:2].isalpha()
        and _enumeration_tail(words) is None
    )


def _ends_sentence(before: str, punct: str, closers: str, following: str) -> bool:
    """Decide whether ``before + punct + closers`` ends a sentence, given what follows."""
    if not _is_sentence_start(following):
        return not closers and _lowercase_start_after(before, punct, following)
    if "?" in punct or "!" in punct:
        return True
    if punct.endswith("…") or punct.endswith(".."):
        # An ellipsis usually marks an omission or a trailing thought inside a sentence.
        return False
    if closers:
        # '... sagte er.“ Dann' — a period inside closing quotes ends the sentence.
        return True
    return _period_ends_sentence(before, following)


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """Start and end offsets of the sentences of a German paragraph.

    Spans exclude the whitespace around sentences; what lies between two spans is
    whitespace only, so the spans and the gaps between them rebuild the paragraph. A line
    break (``\n``: readers keep one only where it separates lines, a list's items) always ends
    a sentence.
    """
    if "\n" in paragraph:
        spans, offset = [], 0
        for line in paragraph.split("\n"):
            spans += [(offset + a, offset + b) for a, b in _line_spans(line)]
            offset += len(line) + 1
        return spans
    return _line_spans(paragraph)


def _line_spans(paragraph: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = len(paragraph) - len(paragraph.lstrip())
    for match in _BOUNDARY.finditer(paragraph):
        if match.start(1) < start:
            continue
        following = paragraph[match.end() :]
        if _ends_sentence(paragraph[start : match.start(1)], match.group(1), match.group(2), following):
            spans.append((start, match.end(2)))
            start = match.end()
    end = len(paragraph.rstrip())
    if start < end:
        spans.append((start, end))
    return spans


def split_sentences(paragraph: str) -> list[str]:
    """Split a German paragraph into sentences (see :func:`sentence_spans`)."""
    return [paragraph[start:end] for start, end in sentence_spans(paragraph)]
