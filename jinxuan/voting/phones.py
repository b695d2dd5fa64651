"""Django-free. Mainland mobile numbers (phonenumbers, Google's libphonenumber metadata): validate, normalise, mask."""

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType


def normalise(raw: str) -> str | None:
    """The 11-digit national form of a valid mainland mobile number, or None."""
    text = "".join(ch for ch in str(raw or "") if ch.isdigit() or ch == "+")
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, "CN")
    except NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    national = str(number.national_number)
    return national if len(national) == 11 else None


def mask(phone: str) -> str:
    """138****5678"""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "****"
