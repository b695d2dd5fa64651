"""Provinces and prefecture-level cities of China, from python-stdnum's division-code table (cn/loc).

Used to tell whether a region answer ("广东省深圳市", "深圳市", "上海") or a text lies in a province, to
strip place names from organisation names, and to read the registering province from a 统一社会信用代码
(characters 3–8 are the division code of the registration authority).
"""

import re
from functools import cache

from stdnum import numdb

_PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "特別行政區", "自治区", "省", "市")
_ALIASES = {"香港特別行政區": ("香港特别行政区",), "澳門特別行政區": ("澳门特别行政区", "澳门")}


def _current(names: str) -> list[str]:
    """'[-1983]汕头地区,[1983-]汕头市' → the names still in use."""
    out = []
    for entry in names.split(","):
        if entry.startswith("["):
            span, entry = entry[1:].split("]", 1)
            if span.split("-", 1)[1]:  # has an end year: abolished
                continue
        out.append(entry)
    return out


def short_name(name: str, suffixes=_PROVINCE_SUFFIXES) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@cache
def provinces() -> dict[str, dict]:
    """{province code "44": {"name": "广东省", "names": {"广东省", "广东"}, "cities": {"广州市", "广州", …}}}"""
    db = numdb.get("cn/loc")
    out: dict[str, dict] = {}
    for p in range(11, 83):
        code = f"{p:02d}"
        info = dict(db.info(code + "0000")[0][1])
        if "province" not in info:
            continue
        name = info["province"]
        names = {name, short_name(name), *_ALIASES.get(name, ())}
        cities: set[str] = set()
        for c in range(1, 100):
            parts = db.info(f"{code}{c:02d}00")
            county = parts[1][1].get("county", "") if len(parts) > 1 else ""
            for city in _current(county):
                if city in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}:
                    continue
                cities.add(city)
                cities.add(short_name(city, ("市", "地区")))
        out[code] = {"name": name, "names": names, "cities": {c for c in cities if len(c) >= 2}}
    return out


@cache
def _pattern(code: str) -> re.Pattern:
    info = provinces()[code]
    words = sorted(info["names"] | info["cities"], key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


@cache
def province_code(region: str) -> str | None:
    """The province a region name or answer lies in: "广东" / "广东省深圳市" / "深圳市" → "44"."""
    text = (region or "").strip()
    if not text:
        return None
    best: tuple[int, str] | None = None
    for code, info in provinces().items():
        for word in info["names"]:
            at = text.find(word)
            if at >= 0 and (best is None or at < best[0]):
                best = (at, code)
    if best:
        return best[1]
    for code, info in provinces().items():
        for word in info["cities"]:
            at = text.find(word)
            if at >= 0 and (best is None or at < best[0]):
                best = (at, code)
    return best[1] if best else None


def province_name(code: str | None) -> str:
    return provinces().get(code or "", {}).get("name", "")


def in_region(value: str, region: str) -> bool:
    want = province_code(region)
    return bool(want) and province_code(value) == want


def mentions(text: str, region: str) -> list[str]:
    """Place names of `region` (the province or its cities) that occur in `text`."""
    code = province_code(region)
    if not code or not text:
        return []
    return _pattern(code).findall(text)


def credit_code_province(code: str) -> str | None:
    """Province code of the registration authority of a 统一社会信用代码 ("9131…" → "31")."""
    code = (code or "").strip().upper()
    if len(code) != 18 or not code[2:8].isdigit():
        return None
    return code[2:4] if code[2:4] in provinces() else None


@cache
def place_prefixes() -> tuple[str, ...]:
    """Every province and city name (with and without 省/市), longest first, plus 中国/中华."""
    words = {"中国", "中华"}
    for info in provinces().values():
        words |= info["names"] | info["cities"]
    return tuple(sorted(words, key=len, reverse=True))
