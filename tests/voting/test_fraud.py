"""Fraud signals over public votes: each signal fires on a constructed attack, stays quiet on an organic
background (random people, addresses and devices over a week with a daily rhythm), and never raises."""

import ast
import random
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinxuan.voting import fraud as S
from jinxuan.voting.fraud import CODES, Signal, Thresholds, VoteRecord, detect, summarise

BJ = timezone(timedelta(hours=8))
START = datetime(2025, 5, 1, tzinfo=BJ)
# Relative votes per Beijing hour 0..23: quiet at night, peaks at lunch and in the evening.
RHYTHM = [3, 1.5, 0.8, 0.5, 0.5, 0.8, 2, 5, 8, 9, 9, 8, 7, 7, 8, 8, 8, 8, 9, 10, 11, 11, 9, 6]


def random_phone(rng):
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def random_ipv4(rng):
    return f"{rng.randint(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def random_ipv6(rng):
    a, b, c = rng.randrange(65536), rng.randrange(65536), rng.randrange(1, 65536)
    return f"2409:8a{rng.randrange(256):02x}:{a:x}:{b:x}::{c:x}"


def organic(n=5000, seed=1, days=7, apps=30):
    """Voters with a number, a home address (a fifth IPv6) and a device; each votes a few times for
    popular and less popular cases, sometimes from a mobile address or with cleared cookies."""
    rng = random.Random(seed)
    voters = [(random_phone(rng), random_ipv4(rng) if rng.random() < 0.8 else random_ipv6(rng),
               uuid.UUID(int=rng.getrandbits(128)).hex) for _ in range(n // 2)]
    votes = []
    for i in range(n):
        phone, home, device = rng.choice(voters)
        at = START + timedelta(days=rng.randrange(days), hours=rng.choices(range(24), RHYTHM)[0],
                               seconds=rng.random() * 3600)
        ip = home if rng.random() < 0.7 else random_ipv4(rng)
        votes.append(VoteRecord(i, f"case-{min(int(rng.paretovariate(0.8)), apps)}", phone, ip,
                                device if rng.random() < 0.9 else "", at))
    return votes


BACKGROUND = organic()


def vote(id, at, *, app="case-1", phone=None, ip=None, device=None, rng=random.Random(0)):  # noqa: B008
    return VoteRecord(id, app, phone or random_phone(rng), ip or random_ipv4(rng),
                      uuid.UUID(int=rng.getrandbits(128)).hex if device is None else device, at)


def poisson_times(rng, n, mean_seconds, start):
    at, out = start, []
    for _ in range(n):
        at += timedelta(seconds=rng.expovariate(1 / mean_seconds))
        out.append(at)
    return out


def flagged(result, code):
    return {vid for vid, items in result.items() if any(s.code == code for s in items)}


def signal(result, vid, code):
    return next(s for s in result[vid] if s.code == code)


def ids(votes):
    return {v.id for v in votes}


# --- background and trivial input --------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_organic_background_is_quiet(seed):
    votes = BACKGROUND if seed == 1 else organic(seed=seed)
    assert detect(votes) == {}


def test_empty_input():
    assert detect([]) == {}
    assert summarise({}) == {}


def test_module_does_not_import_django():
    tree = ast.parse(Path(S.__file__).read_text(encoding="utf-8"))
    names = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {n for n in names if n.split(".")[0] in {"django", "jinxuan"}}


# --- ip_burst / subnet_burst ---------------------------------------------------------------------------


def test_ip_burst_flags_the_burst_only():
    rng = random.Random(5)
    at = START + timedelta(days=2, hours=14)
    attack = [vote(f"a{i}", t, ip="203.0.113.7") for i, t in enumerate(poisson_times(rng, 30, 10, at))]
    result = detect(BACKGROUND + attack)
    assert flagged(result, "ip_burst") == ids(attack)
    s = signal(result, "a0", "ip_burst")
    assert s.related == 30
    assert "203.0.113.7" in s.message and "阈值 10" in s.message and "共 30 票" in s.message


@pytest.mark.parametrize(("gap", "expected"), [(50, True), (61, False)])
def test_ip_burst_window_is_sliding_and_strict(gap, expected):
    # 11 votes: 50 s apart they all fit in one 10-minute window (> 10); 61 s apart no window holds 11.
    at = START + timedelta(hours=10, seconds=17)
    attack = [vote(i, at + timedelta(seconds=gap * i), ip="198.51.100.9") for i in range(11)]
    assert flagged(detect(BACKGROUND + attack), "ip_burst") == (ids(attack) if expected else set())


def test_subnet_burst_from_many_addresses_in_one_slash24():
    rng = random.Random(6)
    times = poisson_times(rng, 25, 15, START + timedelta(days=3, hours=20))
    attack = [vote(f"s{i}", t, ip=f"203.0.113.{10 + i}") for i, t in enumerate(times)]
    result = detect(BACKGROUND + attack)
    assert flagged(result, "subnet_burst") == ids(attack)
    assert flagged(result, "ip_burst") == set()
    s = signal(result, "s3", "subnet_burst")
    assert "/24 网段 203.0.113.0/24" in s.message and "涉及 25 个 IP" in s.message and s.related == 25


def test_subnet_burst_ignores_neighbouring_slash24s():
    rng = random.Random(7)
    times = poisson_times(rng, 25, 15, START + timedelta(days=3, hours=20))
    spread = [vote(f"s{i}", t, ip=f"10.20.{i}.5") for i, t in enumerate(times)]  # one /16, 25 different /24s
    assert detect(BACKGROUND + spread) == {}


def test_ipv6_grouped_by_slash64():
    rng = random.Random(8)
    times = poisson_times(rng, 25, 15, START + timedelta(days=1, hours=9))
    same64 = [vote(f"v{i}", t, ip=f"2001:db8:1:2:{rng.randrange(65536):x}::{i + 1:x}")
              for i, t in enumerate(times)]
    other64 = [vote(f"w{i}", t, ip=f"2001:db8:1:{i + 16:x}::1") for i, t in enumerate(times)]  # one /48
    result = detect(BACKGROUND + same64 + other64)
    assert flagged(result, "subnet_burst") == ids(same64)
    assert "/64 网段 2001:db8:1:2::/64" in signal(result, "v0", "subnet_burst").message


def test_ip_text_is_normalised():
    # Different spellings of one address, and an IPv4-mapped IPv6 address, are the same source.
    spellings = ["2001:DB8::1", "2001:db8:0:0::1", "2001:0db8::0001", "::ffff:192.0.2.1", "192.0.2.1"]
    at = START + timedelta(hours=15)
    attack = [vote(i, at + timedelta(seconds=7 * i + i * i), ip=spellings[i % 2]) for i in range(12)]
    attack += [vote(100 + i, at + timedelta(seconds=11 * i + i * i), ip=spellings[3 + i % 2])
               for i in range(12)]
    attack[0] = vote(0, at, ip=spellings[2])
    assert flagged(detect(attack), "ip_burst") == ids(attack)


# --- device_many_numbers -------------------------------------------------------------------------------


def test_device_used_by_many_numbers():
    rng = random.Random(9)
    numbers = [random_phone(rng) for _ in range(5)]
    at = START + timedelta(days=1)
    farm = [vote(f"d{i}", at + timedelta(hours=5 * i), phone=numbers[i % 5], device="cookie-farm-42")
            for i in range(8)]
    family = [vote(f"f{i}", at + timedelta(hours=7 * i), phone=numbers[i % 3], device="cookie-family")
              for i in range(9)]
    loyal = [vote(f"l{i}", at + timedelta(days=i), phone=numbers[0], device="cookie-loyal")
             for i in range(10)]
    no_cookie = [vote(f"n{i}", at + timedelta(hours=3 * i), device="") for i in range(50)]
    result = detect(BACKGROUND + farm + family + loyal + no_cookie)
    assert flagged(result, "device_many_numbers") == ids(farm)
    s = signal(result, "d0", "device_many_numbers")
    assert "5 个不同手机号" in s.message and "阈值 3" in s.message and s.related == 8


# --- sequential_numbers --------------------------------------------------------------------------------


def sequential_attack(prefix, numbers, start, gap_minutes, app="case-2"):
    rng = random.Random(len(numbers))
    return [vote(f"{prefix}{i}", start + timedelta(minutes=gap_minutes * i, seconds=rng.randrange(60)),
                 app=app, phone=str(number)) for i, number in enumerate(numbers)]


def test_sequential_numbers_flagged_random_numbers_not():
    rng = random.Random(10)
    at = START + timedelta(days=4, hours=11)
    run = sequential_attack("q", range(13800000001, 13800000013), at, 3)
    scattered = sequential_attack("r", [int(random_phone(rng)) for _ in range(12)], at, 3)
    result = detect(BACKGROUND + run + scattered)
    assert flagged(result, "sequential_numbers") == ids(run)
    s = signal(result, "q5", "sequential_numbers")
    assert "12 个相近手机号" in s.message and "13800000001–13800000012" in s.message and s.related == 12


@pytest.mark.parametrize(("step", "expected"), [(4, True), (6, False)])
def test_sequential_numbers_distance(step, expected):
    numbers = range(13912340000, 13912340000 + 8 * step, step)
    run = sequential_attack("q", numbers, START + timedelta(hours=9), 5)
    assert flagged(detect(BACKGROUND + run), "sequential_numbers") == (ids(run) if expected else set())


def test_sequential_numbers_need_same_application_time_and_count():
    at = START + timedelta(days=2, hours=16)
    numbers = list(range(15000000100, 15000000110))
    spread_apps = [vote(f"p{i}", at + timedelta(minutes=i), app=f"case-{i}", phone=str(n))
                   for i, n in enumerate(numbers)]
    slow = sequential_attack("s", range(15000000200, 15000000210), at, 70)  # 70 minutes between votes
    four = sequential_attack("f", range(15000000300, 15000000304), at, 1)
    assert flagged(detect(BACKGROUND + spread_apps + slow + four), "sequential_numbers") == set()


def test_repeat_votes_of_one_number_link_only_within_the_window():
    # 01–03 vote on one day, 03–05 the next (one vote per number per day is allowed): two groups of 3.
    at = START + timedelta(days=1, hours=10)
    first = sequential_attack("x", range(13600000001, 13600000004), at, 5)
    second = sequential_attack("y", range(13600000003, 13600000006), at + timedelta(days=1), 5)
    assert flagged(detect(BACKGROUND + first + second), "sequential_numbers") == set()
    third = sequential_attack("z", [13600000004, 13600000005], at + timedelta(minutes=20), 5)
    assert flagged(detect(BACKGROUND + first + third), "sequential_numbers") == ids(first + third)


# --- night_burst ----------------------------------------------------------------------------------------


def night_votes(prefix, n, app, day, rng):
    base = START + timedelta(days=day, hours=1, minutes=30)
    return [vote(f"{prefix}{i}", base + timedelta(seconds=rng.randrange(3 * 3600)), app=app)
            for i in range(n)]


def test_night_burst_flags_the_night_votes():
    rng = random.Random(11)
    farm = night_votes("n", 40, "case-7", 3, rng)  # 01:30–04:30 on 2025-05-04, Beijing time
    result = detect(BACKGROUND + farm)
    assert flagged(result, "night_burst") == ids(farm)
    s = signal(result, "n0", "night_burst")
    assert "2025-05-04" in s.message and "得 40 票" in s.message and s.related == 40


def test_night_votes_under_daytime_popularity_are_not_flagged():
    rng = random.Random(12)
    farm = night_votes("n", 40, "case-7", 3, rng)
    day = [vote(f"d{i}", START + timedelta(days=3, hours=9, seconds=rng.randrange(12 * 3600)), app="case-7")
           for i in range(200)]
    assert flagged(detect(BACKGROUND + farm + day), "night_burst") == set()


def test_night_burst_needs_enough_votes_in_the_night_hours():
    rng = random.Random(13)
    few = night_votes("n", 19, "case-8", 2, rng)
    edges = [vote(f"e{i}", START + timedelta(days=5, hours=h, minutes=m), app="case-9")  # 00:xx and 05:xx
             for i, (h, m) in enumerate((h, m) for h in (0, 5) for m in range(0, 60, 2))]
    assert flagged(detect(BACKGROUND + few + edges), "night_burst") == set()


def test_night_share_is_compared_with_the_overall_share():
    # Every case is voted for mostly at night (say, an overseas audience): nothing stands out.
    rng = random.Random(20)
    votes = []
    for k in range(10):
        votes += night_votes(f"n{k}-", 30, f"case-{k}", 2, rng)
        votes += [vote(f"d{k}-{i}", START + timedelta(days=2, hours=10, seconds=rng.randrange(8 * 3600)),
                       app=f"case-{k}") for i in range(20)]
    assert flagged(detect(votes), "night_burst") == set()


# --- regular_interval ----------------------------------------------------------------------------------


def test_regular_interval_from_one_ip():
    rng = random.Random(14)
    at = START + timedelta(days=1, hours=21)
    script = [vote(f"r{i}", at + timedelta(seconds=90 * i + rng.uniform(-2, 2)), ip="198.51.100.23")
              for i in range(12)]
    result = detect(BACKGROUND + script)
    assert flagged(result, "regular_interval") == ids(script)
    assert flagged(result, "ip_burst") == set()  # 12 votes in 18 minutes: no burst, only the rhythm
    s = signal(result, "r0", "regular_interval")
    assert "198.51.100.23" in s.message and "连续 12 票" in s.message and s.related == 12


def test_regular_interval_from_rotating_addresses_in_one_slash24():
    rng = random.Random(15)
    at = START + timedelta(days=2, hours=3)
    script = [vote(f"r{i}", at + timedelta(seconds=120 * i + rng.uniform(-1, 1)), ip=f"198.51.100.{i + 1}")
              for i in range(10)]
    result = detect(BACKGROUND + script)
    assert flagged(result, "regular_interval") == ids(script)
    assert "/24 网段 198.51.100.0/24" in signal(result, "r0", "regular_interval").message


def test_poisson_arrivals_are_not_regular():
    # 200 busy addresses, 20 votes each, exponential gaps with the same 90 s mean as the script above.
    rng = random.Random(16)
    votes = []
    for k in range(200):
        ip = f"100.{64 + k // 256}.{k % 256}.1"
        at = START + timedelta(days=rng.randrange(7), hours=rng.randrange(24))
        votes += [vote(f"p{k}-{i}", t, ip=ip) for i, t in enumerate(poisson_times(rng, 20, 90, at))]
    assert flagged(detect(votes), "regular_interval") == set()


def test_short_runs_and_daily_habits_are_not_regular():
    rng = random.Random(17)
    seven = [vote(f"s{i}", START + timedelta(hours=12, seconds=60 * i), ip="192.0.2.77") for i in range(7)]
    daily = [vote(f"d{i}", START + timedelta(days=i, hours=20, seconds=rng.uniform(-30, 30)), ip="192.0.2.88")
             for i in range(10)]
    assert flagged(detect(BACKGROUND + seven + daily), "regular_interval") == set()


# --- summarise, thresholds --------------------------------------------------------------------------------


def test_summarise_counts_flagged_votes_per_code():
    rng = random.Random(18)
    at = START + timedelta(days=2, hours=14)
    burst = [vote(f"a{i}", t, ip="203.0.113.7") for i, t in enumerate(poisson_times(rng, 15, 10, at))]
    night = night_votes("n", 25, "case-7", 3, rng)
    result = detect(BACKGROUND + burst + night)
    assert summarise(result) == {"ip_burst": 15, "night_burst": 25}
    assert list(summarise(result)) == [c for c in CODES if c in summarise(result)]


def test_thresholds_are_used():
    rng = random.Random(19)
    at = START + timedelta(days=2, hours=14)
    burst = [vote(f"a{i}", t, ip="203.0.113.7") for i, t in enumerate(poisson_times(rng, 15, 10, at))]
    assert flagged(detect(BACKGROUND + burst, Thresholds(ip_max=15)), "ip_burst") == set()
    wide = Thresholds(ip_window=timedelta(hours=6), ip_max=3)
    assert flagged(detect(burst, wide), "ip_burst") == ids(burst)


# --- property ------------------------------------------------------------------------------------------

BASE = datetime(2025, 5, 1, 12, tzinfo=UTC)
moments = st.one_of(
    st.datetimes(timezones=st.none() | st.timezones() | st.builds(
        timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23)))),
    st.integers(0, 4 * 3600).map(lambda s: BASE + timedelta(seconds=s)),
)
records = st.builds(
    VoteRecord,
    id=st.integers(0, 50) | st.text(max_size=3),
    application=st.sampled_from([1, 2, "x"]),
    phone=st.integers(13800000000, 13800000030).map(str) | st.text(max_size=14),
    ip=st.sampled_from(["", "10.0.0.1", "10.0.0.2", "::ffff:10.0.0.3", "2001:db8::1", "2001:db8::2", "bad"])
    | st.ip_addresses().map(str) | st.text(max_size=8),
    device=st.sampled_from(["", "d1", "d2"]) | st.text(max_size=4),
    at=moments,
)
small = st.builds(
    Thresholds,
    ip_window=st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=2)),
    ip_max=st.integers(0, 4), subnet_max=st.integers(0, 4), device_max_numbers=st.integers(0, 3),
    seq_distance=st.integers(0, 6), seq_min_numbers=st.integers(1, 4),
    night_start_hour=st.integers(0, 23), night_end_hour=st.integers(0, 23), night_min_votes=st.integers(0, 3),
    night_ratio=st.floats(0, 4), night_min_share=st.floats(0, 1),
    interval_run=st.integers(2, 6), interval_max_cv=st.floats(0, 2),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(records, max_size=60), st.none() | small)
def test_detect_never_raises_and_returns_known_ids(votes, params):
    result = detect(votes) if params is None else detect(votes, params)
    assert set(result) <= ids(votes)
    for items in result.values():
        assert items
        assert all(isinstance(s, Signal) and s.code in CODES and s.message and s.related >= 1 for s in items)
        assert len({s.code for s in items}) == len(items)
    assert set(summarise(result)) == {s.code for items in result.values() for s in items}
