"""Django-free. Fraud signals over public votes (pure Python + numpy, no Django).

`detect(votes, params)` looks at every vote of a public vote at once and returns, for each suspicious
vote id, the `Signal`s it carries.  **These are signals for a human to review, not verdicts**: a school
behind one NAT, a family sharing a phone or a class voting together can trip them.  Nothing here
invalidates a vote; the organiser reads the concrete message ("同一 /24 网段 10 分钟内 37 票（阈值 20）")
and decides.

Signals (all thresholds in `Thresholds`):

* ``ip_burst`` — more than ``ip_max`` votes from one IP address within ``ip_window`` (sliding).  One
  machine or one script casting votes in quick succession with different numbers.
* ``subnet_burst`` — more than ``subnet_max`` votes from one /24 (IPv4) or /64 (IPv6) within
  ``subnet_window``.  Scripts rotate addresses inside a rented block; a /64 is what one IPv6
  subscriber usually gets, so it is the IPv6 counterpart of "one address".
* ``device_many_numbers`` — one device cookie used by more than ``device_max_numbers`` distinct phone
  numbers over the whole vote.  Real people rarely lend their phone to more than a few others.
* ``sequential_numbers`` — bulk-bought SIM cards come in number runs.  Two votes for the same
  application are *linked* when their numbers differ by at most ``seq_distance`` and their times by at
  most ``seq_window``; a connected group of linked votes with at least ``seq_min_numbers`` distinct
  numbers is flagged (13800000001, …03, …04, …07, …09 voting for one case within the hour).
* ``night_burst`` — for one application on one Beijing-time day, the votes cast between
  ``night_start_hour`` and ``night_end_hour`` (default 01:00–05:00): flagged when there are at least
  ``night_min_votes`` of them, they make up at least ``night_min_share`` of the application's votes
  that day and that share is at least ``night_ratio`` × the night share over all votes.  People sleep;
  vote farms and scripts do not.
* ``regular_interval`` — at least ``interval_run`` consecutive votes from one IP, or one /24 or /64,
  whose gaps have a coefficient of variation (population std / mean) below ``interval_max_cv`` and a
  mean gap of at most ``interval_max_mean``.  Humans arrive like a Poisson process (CV ≈ 1); a loop
  with ``sleep(60)`` does not.  The mean cap keeps "votes every day at 8 pm" out.  When a vote is
  regular at the address level, the subnet-level signal is not added again.

Inputs: phones are normalised (spaces, dashes, +86/0086) and must be 11-digit numbers starting with 1
to take part in ``sequential_numbers``; unparseable or empty IPs and empty device ids take no part in
the signals that use them.  IPv4-mapped IPv6 addresses count as IPv4.  Naive datetimes are taken as
UTC.  Beijing time is UTC+8 (no daylight saving since 1991).

Windows are computed on arrays sorted by (group, time) with ``searchsorted`` (two pointers), so the
whole run is O(n log n); 200,000 votes take 2–3 s, most of it reading the records.  Every flagged
vote of a signal carries the same `Signal` as the other votes of its episode (a maximal stretch of
consecutive flagged votes of one source); ``related`` is the number of votes in that episode /
device / cluster / night.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import chain

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["CODES", "LABELS", "Signal", "Thresholds", "VoteRecord", "detect", "summarise"]

CODES = ("ip_burst", "subnet_burst", "device_many_numbers", "sequential_numbers", "night_burst",
         "regular_interval")
LABELS = {
    "ip_burst": "同一 IP 短时集中投票",
    "subnet_burst": "同一网段短时集中投票",
    "device_many_numbers": "同一设备多个手机号",
    "sequential_numbers": "连号手机号投票",
    "night_burst": "夜间异常集中投票",
    "regular_interval": "投票间隔异常规律",
}


@dataclass(frozen=True)
class VoteRecord:
    id: Hashable
    application: Hashable
    phone: str  # 11-digit mainland mobile number
    ip: str  # IPv4 or IPv6 text, may be ""
    device: str  # random cookie id, may be ""
    at: datetime  # timezone-aware


@dataclass(frozen=True)
class Signal:
    code: str
    message: str  # Chinese, for organisers
    related: int  # how many votes share the evidence


@dataclass(frozen=True)
class Thresholds:
    # ip_burst: flagged when MORE than ip_max votes from one address fall within ip_window.
    ip_window: timedelta = timedelta(minutes=10)
    ip_max: int = 10
    # subnet_burst: the same for one /24 (IPv4) or /64 (IPv6).
    subnet_window: timedelta = timedelta(minutes=10)
    subnet_max: int = 20
    # device_many_numbers: one device cookie with MORE than this many distinct phone numbers.
    device_max_numbers: int = 3
    # sequential_numbers: numbers ≤ seq_distance apart, votes ≤ seq_window apart, same application,
    # at least seq_min_numbers distinct numbers in the connected group.
    seq_distance: int = 5
    seq_window: timedelta = timedelta(hours=1)
    seq_min_numbers: int = 5
    # night_burst: [night_start_hour, night_end_hour) Beijing time.
    night_start_hour: int = 1
    night_end_hour: int = 5
    night_min_votes: int = 20
    night_ratio: float = 3.0  # × the night share over all votes
    night_min_share: float = 0.5  # of the application's votes that day
    # regular_interval: interval_run consecutive votes of one IP or subnet, gaps with CV below this.
    interval_run: int = 8
    interval_max_cv: float = 0.1
    interval_max_mean: timedelta = timedelta(hours=1)


# --- input normalisation -----------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_BEIJING_MS = 8 * 3600 * 1000
_DAY_MS = 24 * 3600 * 1000


def _millis(at: datetime) -> int:
    if at.tzinfo is None or at.utcoffset() is None:
        at = at.replace(tzinfo=UTC)
    return (at - _EPOCH) // _MS


def _ms(delta: timedelta) -> int:
    return max(0, delta // _MS)


def _phone_number(phone: str) -> int:
    """Integer value of an 11-digit mainland mobile number, -1 if it is not one."""
    p = str(phone).strip().replace(" ", "").replace("-", "")
    if p.startswith("+86"):
        p = p[3:]
    elif p.startswith("0086"):
        p = p[4:]
    elif len(p) == 13 and p.startswith("86"):
        p = p[2:]
    return int(p) if len(p) == 11 and p[0] == "1" and p.isascii() and p.isdigit() else -1


def _address(text: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, tuple[int, int]] | None:
    """The address and its subnet key (version, network bits), or None if `text` is not an address."""
    try:
        ip = ipaddress.ip_address(str(text).strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip, (ip.version, int(ip) >> (8 if ip.version == 4 else 64))


def _subnet_text(key: tuple[int, int]) -> str:
    version, bits = key
    if version == 4:
        return str(ipaddress.IPv4Network((bits << 8, 24)))
    return str(ipaddress.IPv6Network((bits << 64, 64)))


@dataclass
class _Columns:
    t: np.ndarray  # milliseconds since the epoch (UTC)
    app: np.ndarray  # dense codes
    ip: np.ndarray  # dense address codes, -1 when unparseable
    net: np.ndarray  # dense /24 or /64 codes, -1 when unparseable
    phone: np.ndarray  # number value, -1 when not a mainland mobile number
    person: np.ndarray  # dense codes of the normalised number (or the raw text)
    device: np.ndarray  # dense codes, -1 when empty
    ip_text: list[str]
    net_keys: list[tuple[int, int]]
    device_keys: list[str]


def _columns(votes: list[VoteRecord]) -> _Columns:
    """One pass over the records; addresses and numbers are parsed once per distinct text."""
    apps: dict = {}
    addrs: dict[str, tuple[int, int]] = {}
    ips: dict[tuple[int, int], int] = {}
    nets: dict[tuple[int, int], int] = {}
    ip_text: list[str] = []
    phones: dict[str, tuple[int, int]] = {}
    persons: dict = {}
    devices: dict[str, int] = {}
    cols: tuple[list[int], ...] = ([], [], [], [], [], [], [])
    t, app, ip, net, phone, person, device = cols
    for v in votes:
        t.append(_millis(v.at))
        app.append(apps.setdefault(v.application, len(apps)))
        a = addrs.get(v.ip)
        if a is None:
            parsed = _address(v.ip)
            if parsed is None:
                a = (-1, -1)
            else:
                key = (parsed[0].version, int(parsed[0]))
                if key not in ips:
                    ips[key] = len(ips)
                    ip_text.append(str(parsed[0]))
                a = (ips[key], nets.setdefault(parsed[1], len(nets)))
            addrs[v.ip] = a
        ip.append(a[0])
        net.append(a[1])
        ph = phones.get(v.phone)
        if ph is None:
            number = _phone_number(v.phone)
            who = number if number >= 0 else ("raw", v.phone)
            ph = phones[v.phone] = (number, persons.setdefault(who, len(persons)))
        phone.append(ph[0])
        person.append(ph[1])
        dev = v.device.strip() if isinstance(v.device, str) else ""
        device.append(devices.setdefault(dev, len(devices)) if dev else -1)
    arrays = [np.array(c, dtype=np.int64) for c in cols]
    return _Columns(*arrays, ip_text, list(nets), list(devices))


# --- formatting ----------------------------------------------------------------------------------

def _beijing(ms: int) -> datetime | None:
    try:
        return datetime(1970, 1, 1) + timedelta(milliseconds=int(ms) + _BEIJING_MS)
    except OverflowError:
        return None


def _span(first_ms: int, last_ms: int) -> str:
    a, b = _beijing(first_ms), _beijing(last_ms)
    if a is None or b is None:
        return "时间超出范围"
    end = f"{b:%H:%M}" if a.date() == b.date() else f"{b:%Y-%m-%d %H:%M}"
    return f"{a:%Y-%m-%d %H:%M}–{end}"


def _duration(ms: float) -> str:
    seconds = ms / 1000
    if seconds < 120:
        return f"{seconds:.3g} 秒"
    if seconds < 7200:
        return f"{seconds / 60:.3g} 分钟"
    return f"{seconds / 3600:.3g} 小时"


# --- array helpers (arrays sorted by (group, time)) ------------------------------------------------

def _group_order(codes: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Indices of the votes with a group (code >= 0), sorted by (group, time)."""
    sel = np.flatnonzero(codes >= 0)
    return sel[np.lexsort((t[sel], codes[sel]))]


def _window_ends(g: np.ndarray, t: np.ndarray, window: int) -> np.ndarray:
    """For each position, one past the last position of the same group with time <= its time + window."""
    n = len(g)
    if n == 0:
        return np.zeros(0, np.int64)
    first = np.r_[True, g[1:] != g[:-1]]
    starts = np.flatnonzero(first)
    gid = np.cumsum(first) - 1
    rel = t - t[starts][gid]
    # Lay the groups end to end on one time axis, each followed by a gap wider than the window.
    span = np.maximum.reduceat(rel, starts) + window + 1
    if float(span.sum(dtype=np.float64)) >= 2.0**62:  # absurd time ranges: coarsen instead of overflowing
        return _window_ends(g, t // 1000, window // 1000)
    offset = np.r_[0, np.cumsum(span)[:-1]]
    key = offset[gid] + rel
    return np.searchsorted(key, key + window, side="right")


def _cover(starts: np.ndarray, ends: np.ndarray, n: int) -> np.ndarray:
    """Mask of positions inside at least one [start, end) interval."""
    d = np.bincount(starts, minlength=n + 1)[: n + 1] - np.bincount(ends, minlength=n + 1)[: n + 1]
    return np.cumsum(d)[:n] > 0


def _episodes(mask: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Episode id per position (-1 outside), first and last position of each episode."""
    same_prev = np.r_[False, mask[:-1] & (g[1:] == g[:-1])]
    same_next = np.r_[mask[1:] & (g[1:] == g[:-1]), False]
    begin = mask & ~same_prev
    ep = np.where(mask, np.cumsum(begin) - 1, -1)
    return ep, np.flatnonzero(begin), np.flatnonzero(mask & ~same_next)


@dataclass
class _Episodes:
    first: np.ndarray  # episode first position
    last: np.ndarray  # episode last position
    value: np.ndarray  # per-episode statistic (peak count, lowest CV)


def _burst_episodes(g: np.ndarray, t: np.ndarray, window: int, limit: int) -> _Episodes:
    """Episodes of windows [t, t + window] holding more than `limit` votes of one group."""
    n = len(g)
    end = _window_ends(g, t, window)
    count = end - np.arange(n)
    hot = np.flatnonzero(count > limit)
    mask = _cover(hot, end[hot], n)
    ep, first, last = _episodes(mask, g)
    peak = np.zeros(len(first), np.int64)
    np.maximum.at(peak, ep[hot], count[hot])
    return _Episodes(first, last, peak)


def _regular_episodes(g: np.ndarray, t: np.ndarray, run: int, max_cv: float, max_mean: int) -> _Episodes:
    """Episodes of `run` consecutive votes of one group whose gaps have CV < max_cv."""
    n, k = len(g), max(2, run)
    empty = np.zeros(0, np.int64)
    if n < k:
        return _Episodes(empty, empty, np.zeros(0))
    m = n - k + 1
    gaps = np.diff(t).astype(np.float64)
    mean = (t[k - 1:] - t[:m]) / (k - 1)
    std = np.empty(m)
    windows = sliding_window_view(gaps, k - 1)
    chunk = max(1, 1_000_000 // k)
    for s in range(0, m, chunk):
        std[s:s + chunk] = windows[s:s + chunk].std(axis=1)
    ok = (g[:m] == g[k - 1:]) & (mean > 0) & (mean <= max_mean) & (std < max_cv * mean)
    starts = np.flatnonzero(ok)
    mask = _cover(starts, starts + k, n)
    ep, first, last = _episodes(mask, g)
    low = np.full(len(first), np.inf)
    np.minimum.at(low, ep[starts], std[starts] / mean[starts])
    return _Episodes(first, last, low)


# --- detection -----------------------------------------------------------------------------------

def detect(votes: Sequence[VoteRecord], params: Thresholds = Thresholds()) -> dict[Hashable, list[Signal]]:
    """Signals per vote id; votes without signals are absent.  For human review only."""
    votes = list(votes)
    n = len(votes)
    if n == 0:
        return {}
    p = params
    found: list[dict[str, Signal]] = [{} for _ in range(n)]
    cols = _columns(votes)
    hits = chain(_address_bursts(cols, p), _devices(cols, p), _sequential(cols, p), _night(cols, p),
                 _regular_intervals(cols, p))
    for indices, signal in hits:
        for i in indices:
            found[i].setdefault(signal.code, signal)  # the first (most specific) signal of a code wins

    # One signal per code and id (ids are expected to be unique; a repeated id keeps the first one).
    result: dict[Hashable, list[Signal]] = {}
    for v, signals in zip(votes, found, strict=True):
        if signals:
            merged = result.setdefault(v.id, [])
            known = {s.code for s in merged}
            merged.extend(signals[code] for code in CODES if code in signals and code not in known)
            merged.sort(key=lambda s: CODES.index(s.code))
    return result


_Hits = Iterator[tuple[list[int], Signal]]  # vote positions and the signal they share


def _net_label(cols: _Columns, code: int) -> str:
    key = cols.net_keys[code]
    return f"/{24 if key[0] == 4 else 64} 网段 {_subnet_text(key)}"


def _address_bursts(cols: _Columns, p: Thresholds) -> _Hits:
    """ip_burst and subnet_burst."""
    for code, codes, window, limit in (("ip_burst", cols.ip, _ms(p.ip_window), p.ip_max),
                                       ("subnet_burst", cols.net, _ms(p.subnet_window), p.subnet_max)):
        order = _group_order(codes, cols.t)
        g, ts = codes[order], cols.t[order]
        res = _burst_episodes(g, ts, window, limit)
        for a, b, peak in zip(res.first.tolist(), res.last.tolist(), res.value.tolist(), strict=True):
            members = order[a:b + 1]
            size, when, span = b - a + 1, _span(ts[a], ts[b]), _duration(window)
            if code == "ip_burst":
                message = (f"同一 IP {cols.ip_text[int(g[a])]} 在 {span}内最多 {peak} 票（阈值 {limit}），"
                           f"本段集中投票共 {size} 票（{when}）")
            else:
                n_ips = len(np.unique(cols.ip[members]))
                message = (f"同一 {_net_label(cols, int(g[a]))} 在 {span}内最多 {peak} 票（阈值 {limit}），"
                           f"本段共 {size} 票、涉及 {n_ips} 个 IP（{when}）")
            yield members.tolist(), Signal(code, message, size)


def _devices(cols: _Columns, p: Thresholds) -> _Hits:
    """device_many_numbers."""
    device, who = cols.device, cols.person
    has = np.flatnonzero(device >= 0)
    if len(has) == 0:
        return
    base = int(who.max()) + 1
    distinct = np.bincount(np.unique(device[has] * base + who[has]) // base, minlength=len(cols.device_keys))
    bad = distinct > p.device_max_numbers
    by_device: dict[int, list[int]] = {}
    for i in has[bad[device[has]]].tolist():
        by_device.setdefault(int(device[i]), []).append(i)
    for d, idx in by_device.items():
        key = cols.device_keys[d]
        label = key if len(key) <= 16 else key[:16] + "…"
        message = (f"同一设备标识 {label} 被 {distinct[d]} 个不同手机号用于投票"
                   f"（阈值 {p.device_max_numbers}），共 {len(idx)} 票")
        yield idx, Signal("device_many_numbers", message, len(idx))


def _regular_intervals(cols: _Columns, p: Thresholds) -> _Hits:
    """regular_interval, per address first, then per subnet."""
    run, max_cv, max_mean = max(2, p.interval_run), p.interval_max_cv, _ms(p.interval_max_mean)
    for level, codes in (("ip", cols.ip), ("net", cols.net)):
        order = _group_order(codes, cols.t)
        g, ts = codes[order], cols.t[order]
        res = _regular_episodes(g, ts, run, max_cv, max_mean)
        for a, b, low in zip(res.first.tolist(), res.last.tolist(), res.value.tolist(), strict=True):
            size = b - a + 1
            source = f"IP {cols.ip_text[int(g[a])]}" if level == "ip" else _net_label(cols, int(g[a]))
            mean = _duration((ts[b] - ts[a]) / (size - 1))
            message = (f"同一 {source} 连续 {size} 票间隔近乎恒定（平均 {mean}，变异系数最低 {low:.3f}，"
                       f"阈值：连续 ≥ {run} 票且 < {max_cv:g}；{_span(ts[a], ts[b])}）")
            yield order[a:b + 1].tolist(), Signal("regular_interval", message, size)


def _sequential(cols: _Columns, p: Thresholds) -> _Hits:
    """Connected groups of votes for one application, numbers ≤ seq_distance and times ≤ seq_window apart."""
    apps, phone, t = cols.app, cols.phone, cols.t
    d, window, need = max(0, p.seq_distance), _ms(p.seq_window), max(1, p.seq_min_numbers)
    valid = np.flatnonzero(phone >= 0)
    if len(valid) == 0:
        return
    key = apps[valid] * 10**11 + phone[valid]
    # Cheap pre-filter ignoring time: chains of distinct numbers per application with steps ≤ d.
    distinct = np.unique(key)
    brk = np.r_[True, (np.diff(distinct) > d) | (distinct[1:] // 10**11 != distinct[:-1] // 10**11)]
    run_id = np.cumsum(brk) - 1
    big = np.bincount(run_id)[run_id] >= need
    candidates = valid[np.isin(key, distinct[big])]
    if len(candidates) == 0:
        return

    by_key: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i in candidates[np.argsort(t[candidates], kind="stable")].tolist():
        by_key.setdefault((int(apps[i]), int(phone[i])), []).append((int(t[i]), i))
    parent = {i: i for i in candidates.tolist()}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    numbers_of: dict[int, list[int]] = {}
    for app, number in sorted(by_key):
        numbers_of.setdefault(app, []).append(number)
    times_of = {k: [x for x, _ in items] for k, items in by_key.items()}
    for (app, number), items in by_key.items():
        for (t0, i0), (t1, i1) in zip(items, items[1:], strict=False):
            if t1 - t0 <= window:
                union(i0, i1)
        near = numbers_of[app]
        for j in range(bisect.bisect_right(near, number), bisect.bisect_right(near, number + d)):
            other = by_key[(app, near[j])]
            times = times_of[(app, near[j])]
            # Linking each vote to its nearest earlier and later neighbour suffices for connectivity,
            # since the neighbour's own votes within the window are chained above.
            for ti, i in items:
                pos = bisect.bisect_left(times, ti)
                for k in (pos - 1, pos):
                    if 0 <= k < len(other) and abs(times[k] - ti) <= window:
                        union(i, other[k][1])

    groups: dict[int, list[int]] = {}
    for i in parent:
        groups.setdefault(find(i), []).append(i)
    for idx in groups.values():
        nums = sorted({int(phone[i]) for i in idx})
        if len(nums) < need:
            continue
        times = t[idx]
        message = (f"{len(nums)} 个相近手机号（{nums[0]}–{nums[-1]}，号差 ≤ {d}）先后为同一作品投票，"
                   f"相邻两票间隔不超过 {_duration(window)}（阈值 {need} 个号码），"
                   f"共 {len(idx)} 票（{_span(times.min(), times.max())}）")
        yield sorted(idx), Signal("sequential_numbers", message, len(idx))


def _night(cols: _Columns, p: Thresholds) -> _Hits:
    """Night votes of (application, Beijing day) pairs whose night share is far above the overall one."""
    apps, local = cols.app, cols.t + _BEIJING_MS
    day = local // _DAY_MS
    hour = (local % _DAY_MS) // 3_600_000
    s, e = p.night_start_hour % 24, p.night_end_hour % 24
    night = (hour >= s) & (hour < e) if s <= e else (hour >= s) | (hour < e)
    if not night.any():
        return
    overall = night.mean()
    pairs, inverse = np.unique(np.stack([apps, day]), axis=1, return_inverse=True)
    inverse = inverse.reshape(-1)
    total = np.bincount(inverse)
    at_night = np.bincount(inverse, weights=night).astype(np.int64)
    share = at_night / total
    bad = (at_night >= p.night_min_votes) & (share >= p.night_ratio * overall) & (share >= p.night_min_share)
    members: dict[int, list[int]] = {}
    for i in np.flatnonzero(bad[inverse] & night).tolist():
        members.setdefault(int(inverse[i]), []).append(i)
    for k, idx in members.items():
        try:
            when = (date(1970, 1, 1) + timedelta(days=int(pairs[1, k]))).isoformat()
        except OverflowError:
            when = "某日"
        message = (f"该作品 {when} {s:02d}:00–{e:02d}:00（北京时间）得 {at_night[k]} 票，"
                   f"占当天 {share[k]:.0%}"
                   f"（全部投票夜间占比 {overall:.1%}；阈值：≥ {p.night_min_votes} 票、"
                   f"≥ {p.night_ratio:g} 倍且 ≥ {p.night_min_share:.0%}）")
        yield idx, Signal("night_burst", message, len(idx))


def summarise(signals: dict[Hashable, list[Signal]]) -> dict[str, int]:
    """Number of flagged votes per signal code (codes that never fired are left out), in CODES order."""
    counts: dict[str, int] = {}
    for items in signals.values():
        for code in {s.code for s in items}:
            counts[code] = counts.get(code, 0) + 1
    return {code: counts[code] for code in (*CODES, *sorted(set(counts) - set(CODES))) if code in counts}
