"""Name tokens: how the registry search matches Lombok names written in many ways.

`name_tokens("H. Moh. Fakhrurrozi, S.Pd")` is `["muhamad", "pahruroji"]`: every word of a name
as a normalised **token**, so that a search for "fahrurozi muhammad" finds it whatever the order,
the spelling or the titles. Each worker's tokens are stored in `WorkerNameToken` (decision
0004); a search word matches a worker when one of the worker's tokens starts with the word's
token (`query_words`).

A word becomes a token by (`word_token`):

1. the spelling of the name key (lower case, accents and punctuation gone: `person_name`);
2. a known family of variants mapped to one form (`VARIANTS`: Muhamad, Muhammad, Mohammad,
   Moh., Muh., M. are all "muhamad"; Abd. is "abdul"; Achmad, Akhmad, Ahmat are "ahmad"…);
3. spelling rules applied until nothing changes (`_SPELLING`): the old spelling (oe, dj, tj, sj,
   nj, ch), kh/h, dh/d, th/t, sy/s, ph/f, and the Sasak habit of writing p for f, j for z, k
   for q (Pahrurrozi, Jainuddin, Baik); then doubled letters become one: Fahrurrozi,
   Fakhrurrozi, Fahrurozi and Pahrurrozi are all "pahruroji".

Titles and degrees (H., Hj., Lalu, Baiq, Inaq, Amaq, Ust., Drs., S.Pd…: `TITLES`) give no token:
"Baiq Fatimah" and "Fatimah" both have the one token "patima". A name made of titles only
keeps them as tokens, so that every name has at least one token.

The rules are applied to every stored word and every searched word alike, so they only need to
be consistent, not linguistically right. They must also keep prefixes: the token of the start of
a word is the start of the word's token, except where a typed word ends inside a pair the rules
rewrite ("fak" of "fakhrurrozi"); a search also tries the word without its last letter then.
"""

import re
import unicodedata
from functools import lru_cache

# Families of spellings of one name, each mapped to its first entry's token.
VARIANTS: tuple[tuple[str, ...], ...] = (
    (
        "muhammad", "muhamad", "mohammad", "mohamad", "muhammat", "muhamat", "mohammat",
        "mohamat", "muhammed", "mohammed", "mohamed", "muhamed", "mochammad", "mochamad",
        "mukhammad", "mukhamad", "muchammad", "muchamad", "mhd", "moh", "muh", "mhmd", "moch",
        "much", "md", "m",
    ),
    ("abdul", "abd", "abdoel", "abdol"),
    ("ahmad", "achmad", "akhmad", "ahmat", "achmat", "akhmat", "ahmed", "ahmadi"),
    ("nur", "noer", "noor", "nuur"),
    ("siti", "sitti", "st"),
    ("mustafa", "mustofa", "mustapa", "mustopa"),
    ("yusuf", "jusuf", "yusup", "jusup"),
    ("zainal", "zaenal", "jainal"),
    ("zainul", "zaenul", "jainul"),
    ("zaenab", "zainab", "jaenab", "zaynab"),
    ("hadijah", "khadijah", "hodijah", "khodijah"),
)  # fmt: skip

# Words that are not the person's name: honorifics, Sasak nobility and parenthood, religious
# titles, degrees (split by their dots: "S.Pd." is the words "s" and "pd").
TITLES = frozenset(
    {
        "h", "hj", "haji", "hajah", "hajjah", "kh", "drs", "dra", "dr", "ir", "prof", "bpk",
        "bapak", "pak", "ibu", "bu", "sdr", "sdri", "sdra", "tn", "ny", "nn", "ust", "ustadz",
        "ustaz", "ustadzah", "ustazah", "tgh", "tuan", "guru",
        "lalu", "baiq", "bq", "inaq", "inak", "amaq", "amak", "papuq", "papuk", "mamiq",
        "s", "pd", "spd", "pdi", "spdi", "sd", "mpd", "se", "sei", "sh", "shi", "skom", "st",
        "stp", "spt", "sp", "sag", "mag", "ag", "ssos", "sos", "sip", "ip", "skep", "kep",
        "sked", "ked", "skes", "kes", "mkes", "sfarm", "farm", "ssi", "si", "spsi", "psi",
        "shut", "hut", "sak", "ak", "sth", "th", "msi", "mm", "mh", "msc", "sc", "amd", "md",
        "keb", "ama", "lc", "mba", "phd", "kom", "t", "e", "i", "a",
    }
)  # fmt: skip
# "st" is Siti in a name ("St. Aminah") more often than a degree; "m" and "md" are Muhammad.
TITLES = TITLES - {"st", "md"}

# Applied in this order, again and again until the word no longer changes.
_SPELLING: tuple[tuple[str, str], ...] = (
    ("oe", "u"), ("oo", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("nj", "ny"),
    ("ch", "h"), ("kh", "h"), ("gh", "g"), ("dh", "d"), ("th", "t"), ("ph", "f"), ("sy", "s"),
    ("sh", "s"), ("q", "k"), ("v", "f"), ("f", "p"), ("z", "j"), ("x", "ks"), ("ao", "au"),
    ("ae", "ai"),
)  # fmt: skip
_DOUBLED = re.compile(r"(.)\1+")
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"['`\u2018\u2019]")
# The letters that start a pair rewritten by _SPELLING: a typed word ending in one may be cut
# inside the pair.
_PAIR_STARTS = frozenset(a[0] for a, b in _SPELLING if len(a) > 1)


def _plain(text: str) -> str:
    """Lower case, accents gone, apostrophes dropped ("Ma'ruf" is "maruf")."""
    while True:
        before = text
        text = unicodedata.normalize("NFKD", text.lower())
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = _APOSTROPHES.sub("", text)
        if text == before:
            return text


def _spelled(word: str) -> str:
    while True:
        before = word
        for old, new in _SPELLING:
            word = word.replace(old, new)
        word = _DOUBLED.sub(r"\1", word)
        if word == before:
            return word


def _family_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for family in VARIANTS:
        token = _spelled(family[0])
        for spelling in family:
            table[spelling] = token
            table[_spelled(spelling)] = token
    return table


_FAMILY = _family_table()


@lru_cache(maxsize=65_536)
def word_token(word: str) -> str:
    """The token of one word (lower case letters and digits; see the module's rules)."""
    family = _FAMILY.get(word)
    if family is not None:
        return family
    spelled = _spelled(word)
    return _FAMILY.get(spelled, spelled)


def words_of(text: str) -> list[str]:
    """The words of a name as the name key writes them: lower case, accents and punctuation
    gone, split at anything that is not a letter or digit."""
    return _WORD.findall(_plain(text))


def is_title(word: str) -> bool:
    """Whether a word (as words_of writes it) is a title or degree, spelled as in TITLES: the
    spelling rules are not applied, "Pak" is a title but "Fak…" is not."""
    return word in TITLES


def name_tokens(name: str) -> list[str]:
    """The distinct tokens of a name, in the order of its words; titles and degrees dropped
    (unless the name is nothing else). Case, accents and punctuation never matter, and every
    token is its own token: `word_token(t) == t`."""
    words = words_of(name)
    kept = [w for w in words if not is_title(w)] or words
    return list(dict.fromkeys(word_token(w) for w in kept))


def query_words(text: str) -> list[tuple[str, ...]]:
    """A search text as its words, each as the token prefixes that match it (one of them must
    start a token of the worker). Titles are dropped; `[]` when the text has no other word
    (the caller then matches the start of the name key: "lalu" finds the names that begin with
    Lalu)."""
    result = []
    for word in dict.fromkeys(w for w in words_of(text) if not is_title(w)):
        spelled = _spelled(word)
        prefixes = {word_token(word), spelled}
        if len(word) > 2 and word[-1] in _PAIR_STARTS:
            prefixes.add(_spelled(word[:-1]))
        # "moha" is the start of Mohammad, whose token is "muhamad".
        prefixes |= {
            token
            for spelling, token in _FAMILY.items()
            if spelling.startswith(word) or spelling.startswith(spelled)
        }
        # The shortest prefixes are enough: one that starts with another adds nothing.
        short = {p for p in prefixes if p and not any(q != p and p.startswith(q) for q in prefixes)}
        result.append(tuple(sorted(short)))
    return result
