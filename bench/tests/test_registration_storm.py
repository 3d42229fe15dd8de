"""Scenario 10's judgement: which logins count as answered, and its targets."""

from collections import Counter

from bench.report import Report
from bench.scenarios.registrations import Outcome
from bench.targets import judge

P99 = "10 login p99 during a registration storm"
UNANSWERED = "10 logins not answered 200, or 429/503 with Retry-After"


def test_a_login_is_answered_by_a_200_or_a_429_or_503_carrying_retry_after() -> None:
    logins = Counter(
        {
            "200": 5,
            "429": 1,
            "503": 2,
            "503 no Retry-After": 1,
            "429 no Retry-After": 1,
            "504": 1,
            "000 TimeoutError": 1,
        }
    )
    assert Outcome(logins=logins).unanswered == 4


def test_the_storm_targets_are_judged_against_2_s_and_no_unanswered_login() -> None:
    measured = Report()
    measured.figure("s10.login_p99_ms", "", 2_100.0, "ms")
    measured.figure("s10.logins_unanswered", "", 0)
    targets = {target.label: target.ok for target in judge(measured)}
    assert targets[P99] is False
    assert targets[UNANSWERED] is True
    measured.figure("s10.login_p99_ms", "", 1_900.0, "ms")
    measured.figure("s10.logins_unanswered", "", 1)
    targets = {target.label: target.ok for target in judge(measured)}
    assert targets[P99] is True
    assert targets[UNANSWERED] is False
