"""The targets of issues 6 and 12, judged against one run's figures."""

from __future__ import annotations

from bench.report import Report, Row, Target

ORIGINAL_MONOLITH_C32 = 219.0  # req/s, scenario 1 at 32 connections (issue 6)
SCENARIO_1_C32 = 1_100.0  # ≥ 5x the monolith, rounded up as the issue states it
LOGIN_IN_STORM_P99_MS = 2_000.0  # issue 12: a login answered within 2 s during a storm


def _row(report: Report, scenario: str, variant: str) -> Row | None:
    return next((r for r in report.rows if r.scenario == scenario and r.variant == variant), None)


def judge(report: Report) -> list[Target]:
    value = report.value
    gateway = _row(report, "1 read tasks", "gateway c32")
    errors = gateway.non_2xx if gateway else None
    writes = value("s2.server_errors")
    scenario_1_ok = None
    if gateway is not None and gateway.rps is not None:
        scenario_1_ok = gateway.rps >= SCENARIO_1_C32 and errors == 0
    return [
        Target(
            "1 gateway c32 throughput, 0 errors",
            gateway.rps if gateway else None,
            SCENARIO_1_C32,
            ">=",
            "req/s",
            extra=f"{errors} non-2xx",
            ok=scenario_1_ok,
        ),
        Target(
            "1 gateway / nginx throughput, c32", value("s1.gateway_over_nginx_c32"), 0.6, ">=", "x"
        ),
        Target(
            "1 gateway CPU per proxied request, c32",
            value("s1.gateway_cpu_us_c32"),
            300,
            "<=",
            "µs",
        ),
        Target("1 gateway added p50, c1", value("s1.gateway_added_p50_ms_c1"), 0.5, "<=", "ms"),
        Target("2 responses 5xx (and socket errors)", writes, 0, "<=", ""),
        Target("5 registration → starter project, p50", value("s5.starter_p50_ms"), 15, "<=", "ms"),
        Target("5 registration → starter project, p99", value("s5.starter_p99_ms"), 50, "<=", "ms"),
        Target(
            "6 relay / raw confirmed publish (256 in flight)",
            value("s6.relay_over_raw"),
            0.5,
            ">=",
            "x",
        ),
        Target("4 login req/s / bcrypt limit", value("s4.login_over_limit"), 0.8, ">=", "x"),
        Target(
            "8 read c32 via gateway, projects x2 / x1",
            value("s8.projects_two_over_one"),
            0.9,
            ">=",
            "x",
        ),
        Target(
            "8 two relays / one (one 20,000-row outbox)",
            value("s8.relay_two_over_one"),
            0.9,
            ">=",
            "x",
        ),
        Target("8 relay messages beyond one per row", value("s8.relay_duplicates"), 0, "<=", ""),
        Target(
            "8 users without exactly one starter project",
            value("s8.starter_mismatches"),
            0,
            "<=",
            "",
        ),
        Target(
            "8 two consumers / one (UserAccountCreated backlog)",
            value("s8.consumers_two_over_one"),
            0.9,
            ">=",
            "x",
        ),
        Target("4 read p99 with storm / without", value("s4.read_p99_storm_ratio"), 2.0, "<=", "x"),
        Target(
            "9 read c32 via gateway, tracing on / off",
            value("s9.tracing_on_over_off"),
            0.8,
            ">=",
            "x",
        ),
        Target(
            "10 login p99 during a registration storm",
            value("s10.login_p99_ms"),
            LOGIN_IN_STORM_P99_MS,
            "<=",
            "ms",
        ),
        Target(
            "10 logins not answered 200, or 429/503 with Retry-After",
            value("s10.logins_unanswered"),
            0,
            "<=",
            "",
        ),
    ]
