"""Django-free. The districts of Guangzhou whose government departments may recommend a case (000: 由广州各个区级政府部门推荐)."""

DISTRICTS = ("越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区", "从化区", "增城区")
CHOICES = [(d, d) for d in DISTRICTS]


def district_of(text: str) -> str | None:
    """The district a cell names ("天河" or "天河区", "广州市天河区"), or None."""
    text = (text or "").strip().removeprefix("广州市").removeprefix("广州")
    for district in DISTRICTS:
        if text in (district, district[:-1]):
            return district
    return None
