"""Small shared factories: accounts whose mailbox is proven, organisations whose ownership is verified."""

from django.utils import timezone


def verified_user(username: str, email: str | None = None, **fields):
    from jinxuan.accounts.models import User

    return User.objects.create_user(username=username, email=email or f"{username}@example.cn",
                                    email_verified_at=timezone.now(), **fields)


def verified_organisation(name: str, credit_code: str, **fields):
    from jinxuan.applicants.models import Organisation

    return Organisation.objects.create(name=name, credit_code=credit_code, verified_at=timezone.now(), **fields)
