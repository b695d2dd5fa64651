"""Django-free. Automatic conflicts of interest between review experts and applications (pure Python, no Django).

An expert conflicts with an application when one of the expert's employers (current or past) is, or is tied
to, one of the application's units, or when the expert is one of the application's own users.

Matching an employer against a unit
-----------------------------------
* Credit codes (统一社会信用代码): NFKC, whitespace and hyphens removed, upper case.  Equal codes are the
  same organisation.  Codes failing ``stdnum.cn.uscc`` validation (bad checksum, an old 15-character
  registration number) are still compared literally — a typo both sides share is still the same
  organisation — as long as they look like an identifier (at least ``MIN_CODE`` letters/digits, not one
  repeated character): placeholders such as 无, 0 or 000000000000000000 match nothing.
* Names: NFKC (full-width → half-width), whitespace and every bracket character removed (（）()【】…),
  Latin letters case-folded.  Two names are the same organisation when their *legal stems* are equal: the
  name without its legal form (股份有限公司, 有限公司, 集团 …), e.g. 中国银行 = 中国银行股份有限公司.  A stem
  shorter than ``MIN_STEM`` characters is not trusted: such names must be equal in full.
* Branch rule (conservative): the longer name ends with one of ``BRANCH_SUFFIXES`` (分行, 支行, 分公司,
  营业部), starts with the shorter name's legal stem (at least ``MIN_STEM`` characters), and what lies between
  (after an optional legal form) names no other institution (``INSTITUTION_WORDS``: 银行, 保险, 公司 …).
  中国银行广州分行 is a branch of 中国银行股份有限公司; 广州农村商业银行…分行 is not a branch of 广州银行
  (it does not start with 广州银行), nor is 中国银行保险报社广州分公司 one of 中国银行 (保险 lies between).
  Two sibling branches (中国银行广州分行, 中国银行深圳分行) are not matched by name: list them in the group map.
* Group map: ``{credit code or organisation name: group name}`` (e.g. every member of a financial group, or
  each branch of a bank).  Name keys are matched like names above (by legal stem), and a branch inherits
  its head office's groups.  An employer and a unit sharing a group conflict ("同属…").

Units: ``units[0]`` is the lead applicant (申报单位), the others are co-applicants (联合申报单位).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
from stdnum.cn import uscc

LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "股份公司", "有限公司", "集团公司", "总公司", "公司", "集团")
BRANCH_SUFFIXES = ("分公司", "营业部", "分行", "支行")
# Words that, between a stem and a branch suffix, show another institution rather than a branch.
INSTITUTION_WORDS = ("银行", "保险", "证券", "基金", "信托", "期货", "租赁", "财险", "人寿", "公司", "集团",
                     "信用社", "合作社", "协会", "学会", "研究院", "交易所", "报社")
MIN_STEM = 4
MIN_CODE = 15

APPLICANT_REASON = "评审专家本人参与了该申报"

_SPACES = re.compile(r"[\s\u200b\ufeff]+")
_BRACKETS = str.maketrans("", "", "()[]{}<>（）［］【】〔〕〈〉《》「」『』")


@dataclass
class ExpertAffiliations:
    user_id: Hashable
    employer_code: str | None = None
    employer_name: str | None = None
    past: list[tuple[str | None, str | None]] = field(default_factory=list)


@dataclass
class AppParties:
    key: Hashable
    units: list[tuple[str | None, str | None]] = field(default_factory=list)  # (code, name), lead first
    applicant_user_ids: set = field(default_factory=set)


# -------------------------------------------------------------------------------------------- normalisation


def normalize_code(code: str | None) -> str | None:
    """Comparable credit code: NFKC, no whitespace or hyphens, upper case; None when empty."""
    if not isinstance(code, str):
        return None
    code = _SPACES.sub("", unicodedata.normalize("NFKC", code)).replace("-", "").upper()
    return code or None


def is_valid_code(code: str | None) -> bool:
    code = normalize_code(code)
    return bool(code) and uscc.is_valid(code)


def code_key(code: str | None) -> str | None:
    """The normalised code if it may identify an organisation (valid, or shaped like an identifier)."""
    code = normalize_code(code)
    if not code:
        return None
    if len(set(code)) == 1:  # 000000000000000000 passes the checksum but names no one
        return None
    if uscc.is_valid(code) or (len(code) >= MIN_CODE and code.isalnum()):
        return code
    return None


def normalize_name(name: str | None) -> str:
    """Comparable organisation name: NFKC, no whitespace, no brackets (content kept), case-folded."""
    if not isinstance(name, str):
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", name)).translate(_BRACKETS).casefold()


def legal_stem(normalized: str) -> str:
    """The name without its legal form (twice: 平安保险集团股份有限公司 → 平安保险)."""
    stem = normalized
    for _ in range(2):
        for suffix in LEGAL_SUFFIXES:
            if stem.endswith(suffix) and len(stem) > len(suffix):
                stem = stem[: -len(suffix)]
                break
        else:
            break
    return stem


def name_key(name: str | None) -> str:
    """What two names must share to be one organisation: the legal stem, or the full name if it is short."""
    norm = normalize_name(name)
    stem = legal_stem(norm)
    return stem if len(stem) >= MIN_STEM else norm


def is_branch_of(longer: str, stem: str) -> bool:
    """Branch rule on normalised names: ``longer`` is a branch of the organisation whose legal stem is
    ``stem`` (see the module docstring)."""
    if len(stem) < MIN_STEM or len(longer) <= len(stem) or not longer.startswith(stem):
        return False
    suffix = next((s for s in BRANCH_SUFFIXES if longer.endswith(s)), None)
    if suffix is None or len(longer) - len(suffix) < len(stem):
        return False
    middle = longer[len(stem): len(longer) - len(suffix)]
    for legal in LEGAL_SUFFIXES:
        if middle.startswith(legal):
            middle = middle[len(legal):]
            break
    return not any(word in middle for word in INSTITUTION_WORDS)


# ----------------------------------------------------------------------------------------- prepared parties


@dataclass(frozen=True)
class _Org:
    code: str | None
    norm: str  # normalised full name
    key: str  # name key (legal stem, or the full name when the stem is short)
    display: str
    groups: frozenset


class _Groups:
    """The group map, normalised: code → group, name key → group."""

    def __init__(self, group_map: dict | None):
        self.by_code: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        for k, group in (group_map or {}).items():
            if not isinstance(k, str) or not group:
                continue
            code, key = code_key(k), name_key(k)
            if code:
                self.by_code.setdefault(code, str(group))
            if key:
                self.by_name.setdefault(key, str(group))

    def of(self, code: str | None, norm: str, key: str) -> frozenset:
        out = set()
        if code and code in self.by_code:
            out.add(self.by_code[code])
        if key and key in self.by_name:
            out.add(self.by_name[key])
        if self.by_name and norm.endswith(BRANCH_SUFFIXES):  # a branch inherits its head office's groups
            for n in range(MIN_STEM, len(norm)):
                group = self.by_name.get(norm[:n])
                if group is not None and is_branch_of(norm, norm[:n]):
                    out.add(group)
        return frozenset(out)


def _org(code, name, groups: _Groups) -> _Org | None:
    code = code_key(code)
    norm = normalize_name(name)
    if not code and not norm:
        return None
    key = name_key(name) if norm else ""
    display = _SPACES.sub("", name) if isinstance(name, str) and norm else (code or "")
    return _Org(code, norm, key, display, groups.of(code, norm, key))


def _expert_orgs(expert: ExpertAffiliations, groups: _Groups) -> list[tuple[str, _Org]]:
    """[("现" | "曾", org)], current employer first."""
    out = []
    current = _org(expert.employer_code, expert.employer_name, groups)
    if current:
        out.append(("现", current))
    for entry in expert.past or []:
        code, name = (tuple(entry) + (None, None))[:2] if isinstance(entry, (tuple, list)) else (None, None)
        org = _org(code, name, groups)
        if org:
            out.append(("曾", org))
    return out


def _app_orgs(app: AppParties, groups: _Groups) -> list[_Org | None]:
    out = []
    for unit in app.units or []:
        code, name = (tuple(unit) + (None, None))[:2] if isinstance(unit, (tuple, list)) else (None, None)
        out.append(_org(code, name, groups))
    return out


def _same(a: _Org, b: _Org) -> bool:
    return bool((a.code and a.code == b.code) or (a.key and a.key == b.key))


def _pair_reason(when: str, e: _Org, role: str, u: _Org) -> str | None:
    if _same(e, u):
        return f"{when}任职单位为{role}（{u.display}）"
    if e.norm and u.norm:
        if is_branch_of(e.norm, legal_stem(u.norm)):
            return f"{when}任职单位（{e.display}）为{role}（{u.display}）的分支机构"
        if is_branch_of(u.norm, legal_stem(e.norm)):
            return f"{role}（{u.display}）为{when}任职单位（{e.display}）的分支机构"
    shared = e.groups & u.groups
    if shared:
        return f"{when}任职单位与{role}（{u.display}）同属{'、'.join(sorted(shared))}"
    return None


def _reasons(user_id, orgs: list[tuple[str, _Org]], app_user_ids, units: list[_Org | None]) -> list[str]:
    out: list[str] = []
    if user_id is not None and user_id in (app_user_ids or ()):
        out.append(APPLICANT_REASON)
    hit_now: set[int] = set()
    for when, e in orgs:
        for pos, u in enumerate(units):
            if u is None or (when == "曾" and pos in hit_now):
                continue
            reason = _pair_reason(when, e, "申报单位" if pos == 0 else "联合申报单位", u)
            if reason:
                if when == "现":
                    hit_now.add(pos)
                if reason not in out:
                    out.append(reason)
    return out


# ----------------------------------------------------------------------------------------------- public API


def find_conflicts(expert: ExpertAffiliations, app: AppParties, group_map: dict | None = None) -> list[str]:
    """Chinese reasons why ``expert`` must not review ``app``; empty when there is none."""
    groups = _Groups(group_map)
    orgs = _expert_orgs(expert, groups)
    return _reasons(expert.user_id, orgs, app.applicant_user_ids, _app_orgs(app, groups))


def _prefixes(norm: str) -> Iterable[str]:
    return (norm[:n] for n in range(MIN_STEM, len(norm)))


def conflict_matrix(experts: list[ExpertAffiliations], apps: list[AppParties], group_map: dict | None = None
                    ) -> tuple[np.ndarray, dict[tuple[int, int], list[str]]]:
    """(bool array (n_experts, n_apps), {(i, j): reasons}) — the same as ``find_conflicts`` on every pair,
    but only candidate pairs are examined: apps are indexed by code, name key, branch prefixes, group and
    user, and each expert looks up the apps sharing any of those keys."""
    groups = _Groups(group_map)
    units = [_app_orgs(a, groups) for a in apps]
    index: dict[tuple, set[int]] = defaultdict(set)
    for j, (app, orgs) in enumerate(zip(apps, units, strict=True)):
        for uid in app.applicant_user_ids or ():
            index["user", uid].add(j)
        for u in orgs:
            if u is None:
                continue
            if u.code:
                index["code", u.code].add(j)
            if u.key:
                index["key", u.key].add(j)
            for g in u.groups:
                index["group", g].add(j)
            if u.norm:
                stem = legal_stem(u.norm)
                if len(stem) >= MIN_STEM:
                    index["stem", stem].add(j)  # the unit may be the head office of the expert's branch
                if u.norm.endswith(BRANCH_SUFFIXES):
                    for p in _prefixes(u.norm):  # the unit may be a branch of the expert's employer
                        index["prefix", p].add(j)
    matrix = np.zeros((len(experts), len(apps)), dtype=bool)
    reasons: dict[tuple[int, int], list[str]] = {}
    empty: set[int] = set()
    for i, expert in enumerate(experts):
        orgs = _expert_orgs(expert, groups)
        candidates = set(index.get(("user", expert.user_id), empty)) if expert.user_id is not None else set()
        for _, e in orgs:
            keys = [("code", e.code), ("key", e.key)] + [("group", g) for g in e.groups]
            if e.norm:
                keys.append(("prefix", legal_stem(e.norm)))
                if e.norm.endswith(BRANCH_SUFFIXES):
                    keys += [("stem", p) for p in _prefixes(e.norm)]
            for k in keys:
                if k[1]:
                    candidates |= index.get(k, empty)
        for j in sorted(candidates):
            found = _reasons(expert.user_id, orgs, apps[j].applicant_user_ids, units[j])
            if found:
                matrix[i, j] = True
                reasons[i, j] = found
    return matrix, reasons
