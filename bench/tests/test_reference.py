"""Scenario 1 printed as fractions of the same run's machine references (scenario 7)."""

from bench import report
from bench.context import Context, Options
from bench.scenarios.reference import fractions


def test_scenario_1_is_a_fraction_of_each_reference() -> None:
    measured = report.Report()
    measured.rows += [
        report.Row("1 read tasks", "gateway c32", 2000.0, 10.0, 30.0, 0),
        report.Row("7 machine", "bare FastAPI c32", 8000.0, 3.0, 9.0, 0),
        report.Row("7 machine", "nginx static 200 c32", 40000.0, 0.5, 2.0, 0),
    ]
    context = Context(target=None, seed=None, options=Options(), report=measured)  # type: ignore[arg-type]

    fractions(context)

    assert measured.value("s7.gateway_over_fastapi_c32") == 0.25
    assert measured.value("s7.gateway_over_nginx_static_c32") == 0.05
    assert measured.value("s7.direct_over_fastapi_c32") is None  # not measured: no fraction
