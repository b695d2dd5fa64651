"""Parallel wrong SMS codes for one number (issue 18, finding 8): each check is counted before the code is
compared, so 40 parallel guesses compare at most MAX_WRONG codes and the number ends locked.

The guesses run in threads with their own database connections, on PostgreSQL (CI: DATABASE_URL): the rows they
work on are committed by those connections (and removed at the end), outside the test's own transaction. An
in-memory SQLite test database cannot hold parallel transactions."""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from jinxuan.voting import services
from jinxuan.voting.models import SmsCode, SmsMessage, Voter

pytestmark = pytest.mark.django_db

PHONE = "13700001111"


def on_own_connection(fn, *args):
    """fn(*args) in a new thread (its own connection, autocommit), its result returned or its error raised."""
    def run():
        try:
            return fn(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def _forget(phone):
    SmsCode.objects.filter(phone=phone).delete()
    SmsMessage.objects.filter(phone=phone).delete()
    Voter.objects.filter(phone=phone).delete()


@pytest.fixture
def committed_number():
    if connection.vendor != "postgresql":
        assert not os.environ.get("CI"), "CI runs the tests on PostgreSQL"
        pytest.skip("并发验证码测试需要 PostgreSQL（DATABASE_URL）")
    on_own_connection(_forget, PHONE)
    yield PHONE
    on_own_connection(_forget, PHONE)


def test_forty_parallel_wrong_codes_compare_at_most_five(committed_number, monkeypatch):
    phone = on_own_connection(services.request_code, committed_number, "10.2.2.2")
    code = on_own_connection(lambda: SmsMessage.objects.get(phone=phone).body.split("验证码为 ")[1][:6])
    wrong = "000000" if code != "000000" else "111111"
    compared, lock = [], threading.Lock()
    real_hash = services._hash

    def counting_hash(value, number):
        with lock:
            compared.append(value)
        return real_hash(value, number)

    monkeypatch.setattr(services, "_hash", counting_hash)
    start = threading.Barrier(40)

    def guess(_):
        try:
            start.wait()
            services.verify_code(phone, wrong)
            return "accepted"
        except services.VoteError as exc:
            return str(exc)
        finally:
            connection.close()

    with ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(guess, range(40)))
    assert "accepted" not in answers
    assert len(compared) <= services.MAX_WRONG, f"{len(compared)} codes compared"
    assert sum("锁定" in a for a in answers) >= 40 - services.MAX_WRONG
    state = on_own_connection(lambda: (sum(SmsCode.objects.filter(phone=phone).values_list("attempts", flat=True)),
                                       Voter.objects.get(phone=phone).locked_until))
    assert state[0] <= services.MAX_WRONG and state[1] > timezone.now()
    with pytest.raises(services.VoteError, match="锁定"):  # the right code too, while locked
        on_own_connection(services.verify_code, phone, code)


def test_the_right_code_after_a_wrong_one_verifies_and_is_not_counted_wrong():
    phone = services.request_code("13700002222", None)
    code = SmsMessage.objects.get(phone=phone).body.split("验证码为 ")[1][:6]
    with pytest.raises(services.VoteError, match="不正确"):
        services.verify_code(phone, "000000" if code != "000000" else "111111")
    assert services.verify_code(phone, code).verified_at is not None
    assert SmsCode.objects.get(phone=phone).attempts == 1
