"""Django-free. Blind review: hide identities inside free text (pure Python, no Django).

* ``identity_terms(org_names, person_names, extra)``: what to hide — each organisation's full name (also with
  the other bracket style, （） ↔ ()) and its short forms from ``brands.name_variants``, the people's names and
  the organiser's extra terms (product brands …).  Dropped: terms shorter than ``MIN_TERM`` characters, and
  short forms that are generic words rather than names (an industry word such as 农村商业银行 / 银行 / 证券,
  a place name such as 广州, or one of ``brands.GENERIC_CORES`` such as 建设 / 数字): hiding those would blank
  ordinary prose.  Full names and the organiser's extra terms are kept unless they are that short.
* ``mask(text, terms)``: every term (longest first, one regex; Latin terms only as whole words,
  case-insensitive; a term ending in 行 not when 业 follows — 建行 is not in 构建行业), and with ``codes``
  18-character unified social credit codes (also ID-card numbers, which share the shape; written with
  spaces or hyphens only when the checksum validates), with ``contacts`` mainland mobile numbers,
  landlines and 400/800 numbers, e-mail addresses and URLs, each replaced by ``MASK``.  Never raises;
  idempotent; the characters around a masked span are left as they were.
* ``mask_answers(answers, fields_to_mask, terms)``: a deep copy of a JSON-like answers dict with the strings
  under the given top-level keys masked (recursively through nested dicts and lists).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from functools import lru_cache

from stdnum.cn import uscc

from jinxuan.accounts.patterns import MOBILE
from jinxuan.formalrules.brands import GENERIC_CORES, INDUSTRY_WORDS, name_variants
from jinxuan.formalrules.regions import place_prefixes

MASK = "【已隐去】"
MIN_TERM = 2
MAX_PASSES = 8  # masking repeats until nothing changes (see ``mask``); a safety bound

_D = "[0-9０-９]"
_CODE_CH = "[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy０-９]"  # the credit-code alphabet (no I, O, S, V, Z)
_LEFT = r"(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])"
_RIGHT = r"(?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])"
_DIGIT_LEFT, _DIGIT_RIGHT = r"(?<![0-9０-９])", r"(?![0-9０-９])"

CODE = re.compile(_LEFT + _CODE_CH + "{2}" + _D + "{6}" + _CODE_CH + "{10}" + _RIGHT)
_CS = r"[ \-]?"
SPACED_CODE = re.compile(
    _LEFT + (_CODE_CH + _CS) * 2 + (_D + _CS) * 6 + (_CODE_CH + _CS) * 9 + _CODE_CH + _RIGHT)
_SEP = r"[ \-－]?"
LANDLINE = re.compile(
    r"(?:[(（]" + "[0０]" + _D + r"{2,3}[)）]\s?|" + _DIGIT_LEFT + "[0０]" + _D + "{2,3}" + _SEP + ")"
    + _D + "{3,4}" + _SEP + _D + "{4}"
    + r"(?:\s?(?:转|分机|ext\.?)\s?" + _D + r"{1,6}|[\-－]" + _D + r"{1,6})?" + _DIGIT_RIGHT)
HOTLINE = re.compile(
    _DIGIT_LEFT + "[48４８][0０]{2}" + _SEP + "[1-9１-９]" + _D + "{2}" + _SEP + _D + "{4}" + _DIGIT_RIGHT)
EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_URL_CHARS = r"[^\s<>\"'，。；：！？、（）【】《》「」“”‘’\u4e00-\u9fff\u3000-\u303f\uff01-\uff0f]"
URL = re.compile(
    r"(?:https?://|ftp://|www\.)" + _URL_CHARS + r"+"
    r"|(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ.\-@/])[A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)*"
    r"\.(?:com|cn|net|org|gov|edu|io|info|biz|top|xyz|tech|cc|hk)(?![A-Za-z0-9\-])"
    r"(?:[/?#]" + _URL_CHARS + r"*)?", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""  # URL ends that belong to the sentence


@lru_cache(maxsize=1)
def _generic_words() -> frozenset:
    return frozenset(INDUSTRY_WORDS) | frozenset(GENERIC_CORES) | frozenset(place_prefixes())


def _clean(term) -> str:
    return re.sub(r"\s+", "", term) if isinstance(term, str) else ""


def identity_terms(org_names: Iterable[str], person_names: Iterable[str] = (), extra: Iterable[str] = ()
                   ) -> list[str]:
    """Terms to hide, longest first, without duplicates (see the module docstring for what is dropped)."""
    generic = _generic_words()
    out: dict[str, None] = {}

    def add(term: str, check_generic: bool) -> None:
        if len(term) >= MIN_TERM and not (check_generic and term in generic):
            out.setdefault(term, None)

    for name in org_names or ():
        full = _clean(name)
        if not full:
            continue
        add(full, False)
        add(full.replace("（", "(").replace("）", ")"), False)
        add(full.replace("(", "（").replace(")", "）"), False)
        for variant in name_variants(full):
            add(variant, True)
    for name in person_names or ():
        add(_clean(name), False)
    for term in extra or ():
        add(_clean(term), False)
    return sorted(out, key=lambda t: (-len(t), t))


@lru_cache(maxsize=64)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    parts = []
    for term in sorted(set(terms), key=lambda t: (-len(t), t)):
        body = re.escape(term)
        if term.isascii():  # a Latin brand only as a whole word
            if term[0].isalnum():
                body = r"(?<![A-Za-z0-9])" + body
            if term[-1].isalnum():
                body += r"(?![A-Za-z0-9])"
        elif term.endswith("行"):  # 建行 is not in 构建行业
            body += "(?!业)"
        parts.append(body)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _valid_spaced_code(match: re.Match) -> bool:
    raw = match.group(0)
    if not re.search(r"[ \-]", raw):
        return False  # contiguous codes are handled by CODE
    try:
        return uscc.is_valid(uscc.compact(raw).upper())
    except Exception:  # noqa: BLE001 — validation must never break masking
        return False


def _spans(text: str, pattern: re.Pattern | None, codes: bool, contacts: bool) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    if pattern is not None:
        found += [m.span() for m in pattern.finditer(text)]
    if codes:
        found += [m.span() for m in CODE.finditer(text)]
        found += [m.span() for m in SPACED_CODE.finditer(text) if _valid_spaced_code(m)]
    if contacts:
        for regex in (EMAIL, MOBILE, LANDLINE, HOTLINE):
            found += [m.span() for m in regex.finditer(text)]
        for m in URL.finditer(text):
            start, end = m.span()
            while end > start and text[end - 1] in _TRAILING:
                end -= 1
            if end > start:
                found.append((start, end))
    return [(s, e) for s, e in found if e > s]


def _mask_piece(text: str, pattern, codes: bool, contacts: bool) -> str:
    spans = sorted(_spans(text, pattern, codes, contacts))
    if not spans:
        return text
    out, pos = [], 0
    for start, end in spans:  # overlapping spans merge into one mask
        if start >= pos:
            out.append(text[pos:start])
            out.append(MASK)
            pos = end
        elif end > pos:
            pos = end
    out.append(text[pos:])
    return "".join(out)


def _one_pass(text: str, pattern, codes: bool, contacts: bool) -> str:
    # existing masks are left alone: no term may reach into (or be found inside) one
    return MASK.join(_mask_piece(piece, pattern, codes, contacts) for piece in text.split(MASK))


def mask(text, terms: Iterable[str] = (), codes: bool = True, contacts: bool = True) -> str:
    """``text`` with identities replaced by ``MASK``; always a str (None → "").

    One pass may, by removing a span, expose a match its neighbour hid (a phone number right after a masked
    Latin brand ending in a digit); passes repeat until nothing changes, so ``mask(mask(x)) == mask(x)``.
    """
    try:
        if text is None:
            return ""
        if not isinstance(text, str):
            text = str(text)
        cleaned = tuple(t for t in (terms or ()) if isinstance(t, str) and t and MASK not in t)
        pattern = _term_pattern(cleaned)
        for _ in range(MAX_PASSES):
            masked = _one_pass(text, pattern, codes, contacts)
            if masked == text:
                break
            text = masked
        return text
    except Exception:  # noqa: BLE001 — never let masking break a page; hide everything rather than leak
        return MASK if text else ""


def _mask_value(value, terms, codes: bool, contacts: bool):
    if isinstance(value, str):
        return mask(value, terms, codes, contacts)
    if isinstance(value, dict):
        return {k: _mask_value(v, terms, codes, contacts) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask_value(v, terms, codes, contacts) for v in value]
    return value


def mask_answers(answers: dict, fields_to_mask: Iterable[str], terms: Iterable[str] = (), codes: bool = True,
                 contacts: bool = True) -> dict:
    """Deep copy of ``answers`` with every string under the ``fields_to_mask`` top-level keys masked."""
    out = copy.deepcopy(answers)
    if not isinstance(out, dict):
        return out
    terms = tuple(terms or ())
    for key in fields_to_mask or ():
        if key in out:
            out[key] = _mask_value(out[key], terms, codes, contacts)
    return out
