"""Text patterns of personal data shared by masking (accounts.personal_data) and blind review (review.masking).
Django-free."""

import re

_D = "[0-9０-９]"
_SEP = r"[ \-－]?"
_DIGIT_LEFT, _DIGIT_RIGHT = r"(?<![0-9０-９])", r"(?![0-9０-９])"

# a mainland mobile number, half- or full-width digits, optional +86 and separators
MOBILE = re.compile(
    _DIGIT_LEFT + r"(?:(?:\+|＋)?(?:86|８６)[ \-－]?)?" + "[1１][3-9３-９]" + _D
    + _SEP + _D + "{4}" + _SEP + _D + "{4}"
    + _DIGIT_RIGHT)
