"""Deterministic synthetic Chinese text for demo data.

Pure Python (no Django). ``TextFaker(seed)`` draws everything from one ``random.Random``,
so the same seed and the same sequence of calls always give the same output.
"""

from __future__ import annotations

import random
import re
import string
import zlib

from . import phrases as P

KINDS = tuple(P.ORG_SUFFIXES)
SECTIONS = tuple(P.SECTIONS)

_PLACE_PREFIXES = sorted(
    {*P.CITIES, *(c + "市" for c in P.CITIES), *P.REGIONS, *(r + "省" for r in P.REGIONS)},
    key=len,
    reverse=True,
)
_LEGAL_TO_SHORT = sorted(
    {(legal, short) for options in P.ORG_SUFFIXES.values() for legal, short, _ in options},
    key=lambda pair: len(pair[0]),
    reverse=True,
)
_GROUP_OF_SCENARIO = {scenario: group for scenario, _, _, group in P.SCENARIOS}
_TRAILING_PUNCT = "，、；：,;:"


def nchars(text: str) -> int:
    """Length as the product counts it: every non-whitespace character is one."""
    return sum(1 for ch in text if not ch.isspace())


def _strip_place(stem: str) -> str:
    for prefix in _PLACE_PREFIXES:
        if stem.startswith(prefix) and len(stem) > len(prefix):
            return stem[len(prefix) :]
    return stem


def _check(min_chars: int, max_chars: int, section: str | None) -> None:
    if not 0 <= min_chars <= max_chars:
        raise ValueError("need 0 <= min_chars <= max_chars")
    if section is not None and section not in P.SECTIONS:
        raise ValueError(f"unknown section {section!r}; expected one of {SECTIONS}")


class TextFaker:
    """Seeded generator of organisation names, contacts, case titles and prose."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)

    # ------------------------------------------------------------------ organisations

    def org_name(self, kind: str) -> str:
        if kind not in P.ORG_SUFFIXES:
            raise ValueError(f"unknown organisation kind {kind!r}; expected one of {KINDS}")
        r = self.rng
        options = P.ORG_SUFFIXES[kind]
        legal = r.choices([o[0] for o in options], weights=[o[2] for o in options])[0]
        core = r.choice(P.CORE_HEADS) + r.choice(P.CORE_TAILS)
        roll = r.random()
        if roll < 0.55:
            prefix = r.choice(P.CITIES)
            if kind in ("fintech", "data", "research", "leasing") and r.random() < 0.35:
                prefix += "市"
        elif roll < 0.75:
            prefix = r.choice(P.REGIONS)
        else:
            prefix = ""
        return prefix + core + legal

    @staticmethod
    def short_name(full: str) -> str:
        """``广州瀚澜银行股份有限公司`` -> ``瀚澜银行``; unknown shapes lose place and legal form."""
        for legal, short in _LEGAL_TO_SHORT:
            if full.endswith(legal) and len(full) > len(legal):
                return _strip_place(full[: -len(legal)]) + short
        stem = full
        for legal in P.GENERIC_LEGAL_SUFFIXES:
            if stem.endswith(legal) and len(stem) > len(legal):
                stem = stem[: -len(legal)]
                break
        return _strip_place(stem)

    # ------------------------------------------------------------------ people

    def person_name(self) -> str:
        r = self.rng
        given = r.choice(P.GIVEN_CHARS)
        if r.random() < 0.75:
            given += r.choice(P.GIVEN_CHARS)
        return r.choice(P.SURNAMES) + given

    def department_title(self) -> tuple[str, str]:
        return self.rng.choice(P.DEPARTMENTS), self.rng.choice(P.TITLES)

    def mobile(self) -> str:
        return self.rng.choice(P.MOBILE_PREFIXES) + "".join(self.rng.choices(string.digits, k=8))

    def email(self, domain_hint: str = "") -> str:
        """ASCII address under ``.example.cn``; the same hint always maps to the same domain."""
        label = re.sub(r"[^a-z0-9]", "", domain_hint.lower().removesuffix(".example.cn"))[:20]
        if not label:
            stable = random.Random(zlib.crc32(domain_hint.encode("utf-8")))
            label = "".join(stable.choices(string.ascii_lowercase, k=stable.randint(4, 7)))
        r = self.rng
        local = "".join(r.choices(string.ascii_lowercase, k=r.randint(3, 8)))
        if r.random() < 0.4:
            local += str(r.randint(1, 99))
        return f"{local}@{label}.example.cn"

    # ------------------------------------------------------------------ topics and titles

    def topic(self) -> dict:
        scenario, domain, customer, _ = self.rng.choice(P.SCENARIOS)
        technology = self.rng.choice(P.TECHNOLOGIES)
        return {"scenario": scenario, "technology": technology, "domain": domain, "customer": customer}

    def _topic(self, topic: dict | None) -> dict:
        """Complete a partial topic and add facts that stay fixed within one text
        (project start ``year``, the applicant's ``found``/``staff``/``soft``/``pat``)."""
        base = self.topic()
        base.update({key: self._number(spec) for key, spec in P.FACT_RANGES.items()})
        if topic:
            base.update({k: v for k, v in topic.items() if v is not None})
        return base

    def _tech2(self, topic: dict) -> str:
        return self.rng.choice([t for t in P.TECHNOLOGIES if t != topic["technology"]])

    def case_title(self, max_chars: int = 20, topic: dict | None = None) -> str:
        """A title such as ``基于隐私计算的小微企业信贷应用``, free of organisation names."""
        topic = self._topic(topic)
        for _ in range(40):
            title = self.rng.choice(P.TITLE_TEMPLATES).format(
                suffix=self.rng.choice(P.TITLE_SUFFIXES), tech2=self._tech2(topic), **topic
            )
            if len(title) <= max_chars:
                return title
        return (topic["technology"] + topic["scenario"] + "应用")[:max_chars]

    # ------------------------------------------------------------------ numbers and sentences

    def _number(self, spec: tuple) -> int | float:
        lo, hi, *digits = spec
        return round(self.rng.uniform(lo, hi), digits[0]) if digits else self.rng.randint(lo, hi)

    def _values(self, topic: dict) -> dict:
        """Fresh numbers and variety words for one sentence; the topic's own keys win."""
        r = self.rng
        values = {key: self._number(spec) for key, spec in P.NUMBER_RANGES.items()}
        values["r_hi"] = r.randint(values["r_lo"] + 4, 99)
        values.update(
            tech2=self._tech2(topic),
            module=r.choice(P.MODULES),
            data=r.choice(P.DATA_SOURCES),
            verb=r.choice(P.VERBS),
            benefit=r.choice(P.BENEFITS),
        )
        values.update(topic)
        if "year2" not in topic:
            values["year2"] = r.randint(max(values["year"] + 1, 2023), 2025)
        return values

    @staticmethod
    def _result_pool(topic: dict) -> list[str]:
        """Generic results plus those specific to the topic's scenario (if it is a known one)."""
        return P.QUANT_BY_GROUP.get(_GROUP_OF_SCENARIO.get(topic["scenario"]), []) + P.QUANT_RESULTS

    def _fill(self, template: str, topic: dict) -> str:
        values = self._values(topic)
        if "{result" in template:
            pool = self._result_pool(topic)
            specific = len(pool) - len(P.QUANT_RESULTS)
            # favour the scenario-specific results: they read as the most concrete
            first = pool[self.rng.randrange(specific)] if specific and self.rng.random() < 0.6 else None
            first = first or self.rng.choice(pool)
            second = self.rng.choice([t for t in pool if t != first])
            values["result"] = first.format_map(self._values(topic))
            values["result2"] = second.format_map(self._values(topic))
        return template.format_map(values)

    def quantified_results(self, n: int, topic: dict | None = None) -> list[str]:
        """``n`` sentences with concrete figures (万元, 亿元, %, 个百分点, 家, 户, 笔, 人次 ...)."""
        topic = self._topic(topic)
        out: list[str] = []
        pool: list[str] = []
        while len(out) < n:
            if not pool:
                pool = self._result_pool(topic)
                pool = self.rng.sample(pool, len(pool))
            template = self.rng.choice(P.RESULT_LEADS) + pool.pop() + "。"
            out.append(template.format_map(self._values(topic)))
        return out

    # ------------------------------------------------------------------ prose

    def _pick(self, pool, used, local, topic, room, min_len=0, prefix=""):
        """A filled template from ``pool`` not yet in ``used`` (the whole text) and ``local``
        (this paragraph) whose length is between ``min_len`` and ``room``; None if none fits."""
        candidates = [t for t in pool if t not in used and t not in local]
        if not candidates:  # the whole text has used them all: start over, avoiding this paragraph
            used.difference_update(pool)
            candidates = [t for t in pool if t not in local] or list(pool)
        self.rng.shuffle(candidates)
        for template in candidates[:15]:
            sentence = self._fill(template, topic)
            if prefix and len(sentence.split("，", 1)[0]) > 6:  # no second lead-in ("此外，同时，")
                sentence = prefix + sentence
            if min_len <= nchars(sentence) <= room:
                used.add(template)
                local.add(template)
                return sentence
        return None

    def _squeeze(self, used, topic, room):
        """Last resort when no whole sentence fits: a short filler, else a cut-down sentence."""
        fillers = [f for f in P.SHORT_FILLERS if f not in used and nchars(f) <= room]
        if fillers:
            choice = self.rng.choice(fillers)
            used.add(choice)
            return choice
        cut = self._fill(self.rng.choice(P.BODY), topic)[: max(room - 1, 0)].rstrip(_TRAILING_PUNCT)
        return cut + "。"

    def _paragraph(self, topic, min_chars, max_chars, section, continued, used, close_prob=0.6):
        section_pool = P.SECTIONS[section] if section else []
        standalone = section in P.STANDALONE_SECTIONS
        body = section_pool if standalone else section_pool + P.BODY
        openers = body if continued else (section_pool or P.OPENINGS)
        closings = [] if standalone else P.CLOSINGS
        parts: list[str] = []
        local: set[str] = set()
        size = 0
        while size < min_chars or not parts:
            room = max_chars - size
            if room <= 0:
                break
            need = min_chars - size
            sentence = None
            if not parts:
                prefix = self.rng.choice(P.CONNECTIVES) if continued else ""
                sentence = self._pick(openers, used, local, topic, room, prefix=prefix)
            elif need <= 60 and closings and self.rng.random() < close_prob:
                sentence = self._pick(closings, used, local, topic, room, min_len=need)
            elif section_pool and self.rng.random() < 0.5:
                sentence = self._pick(section_pool, used, local, topic, room)
            sentence = (
                sentence or self._pick(body, used, local, topic, room) or self._squeeze(used, topic, room)
            )
            parts.append(sentence)
            size += nchars(sentence)
        return "".join(parts)

    def paragraph(
        self,
        topic: dict | None = None,
        min_chars: int = 100,
        max_chars: int = 300,
        section: str | None = None,
    ) -> str:
        """One paragraph of ``min_chars``..``max_chars`` characters.

        ``topic`` fixes scenario/technology/domain/customer; ``section`` (one of ``SECTIONS``,
        e.g. ``"technical"``) mixes in sentences typical of that outline section.
        """
        _check(min_chars, max_chars, section)
        return self._paragraph(self._topic(topic), min_chars, max_chars, section, False, set())

    def text_of_length(
        self, min_chars: int, max_chars: int, topic: dict | None = None, section: str | None = None
    ) -> str:
        """Paragraphs joined by ``\\n`` whose non-whitespace length lies in [min_chars, max_chars]."""
        _check(min_chars, max_chars, section)
        topic = self._topic(topic)
        target = self.rng.randint(min_chars, max_chars)
        lo = max(min_chars, target - 150)
        hi = min(max_chars, lo + 300)
        used: set[str] = set()
        paragraphs: list[str] = []
        size = 0
        while lo - size > 330:
            para = self._paragraph(topic, 150, 330, section, bool(paragraphs), used, 0.25)
            paragraphs.append(para)
            size += nchars(para)
        if hi > size and (lo > size or not paragraphs):
            need = max(lo - size, 0)
            para = self._paragraph(
                topic, need, min(hi - size, need + 200), section, bool(paragraphs), used, 0.8
            )
            paragraphs.append(para)
        return "\n".join(paragraphs)
