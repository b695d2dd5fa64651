"""An independent re-implementation of the published draw procedure, written from the public page's steps with
nothing but hashlib (it does not import jinxuan). The tests check the platform against it."""

import hashlib


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical(pairs) -> str:
    """[[id,"track"],...] with no whitespace; ids are integers, track keys plain ASCII identifiers here."""
    parts = []
    for app, track in pairs:
        assert isinstance(app, int) and all(c.isalnum() or c in "_-" for c in track)
        parts.append(f'[{app},"{track}"]')
    return "[" + ",".join(parts) + "]"


def ceil_fraction(fraction: str, n: int) -> int:
    """ceil(fraction × n) for a decimal string such as "0.3", in integers only."""
    whole, _, decimals = fraction.partition(".")
    numerator, denominator = int(whole + decimals), 10 ** len(decimals)
    return -(-numerator * n // denominator)


def run(seed, pairs, count=None, fraction=None, stratify=False):
    commitment = sha("jinxuan-draw-v1:" + seed)
    digest = sha(canonical(pairs))
    keys = [(app, sha(f"{seed}|{digest}|{app}")) for app, _ in pairs]
    key_of = dict(keys)
    position = {app: i for i, (app, _) in enumerate(pairs)}
    n = len(pairs)
    size = count if count is not None else ceil_fraction(fraction, n)

    def smallest(apps, k):
        return sorted(apps, key=lambda a: (key_of[a], position[a]))[:k]

    allocation = None
    if stratify:
        tracks = {}
        for app, track in pairs:
            tracks.setdefault(track, []).append(app)
        # quota = size × n_t / n: integer part first, then the largest remainders (ties: smaller track key)
        seats = {t: size * len(a) // n for t, a in tracks.items()}
        remainders = {t: size * len(a) % n for t, a in tracks.items()}
        left = size - sum(seats.values())
        for t in sorted(tracks, key=lambda t: (-remainders[t], t))[:left]:
            seats[t] += 1
        chosen = {a for t, apps in tracks.items() for a in smallest(apps, seats[t])}
        allocation = dict(sorted(seats.items()))
    else:
        chosen = set(smallest([app for app, _ in pairs], size))
    return {"commitment": commitment, "ranking_digest": digest, "size": size,
            "selected": [app for app, _ in pairs if app in chosen], "keys": [[a, k] for a, k in keys],
            "allocation": allocation}
