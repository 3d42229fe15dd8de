"""The pure parts of the wrk driver: the generated Lua and the parsing of wrk's output."""

import json

import pytest

from bench import wrk

WRK_OUTPUT = """\
Running 6s test @ http://127.0.0.1:41127/api/projects/x/tasks
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    20.51ms    5.20ms  80.33ms   90.12%
    Req/Sec   780.10     60.00     0.90k    70.00%
  9361 requests in 6.00s, 4.12MB read
Requests/sec:   1559.98
Transfer/sec:    702.97KB
BENCH_RESULT {"requests": 9361, "duration_us": 6000800, "statuses": {"200": 9300, "409": 50, \
"503": 11}, "errors": {"connect": 0, "read": 2, "write": 0, "timeout": 0}, \
"latency_us": {"p50": 19870, "p90": 25010, "p99": 44100, "max": 80330, "mean": 20510.4}}
"""


def test_parses_the_result_line_among_wrks_own_output() -> None:
    result = wrk.parse_output(WRK_OUTPUT)

    assert result.requests == 9361
    assert result.duration_s == pytest.approx(6.0008)
    assert result.rps == pytest.approx(9361 / 6.0008)
    assert result.statuses == {200: 9300, 409: 50, 503: 11}
    assert result.socket_errors == {"read": 2}
    assert (result.p50_ms, result.p99_ms, result.max_ms) == (19.87, 44.1, 80.33)


def test_counts_non_2xx_conflicts_and_server_errors_apart() -> None:
    result = wrk.parse_output(WRK_OUTPUT)

    assert result.non_2xx == 61
    assert result.count(409) == 50
    assert result.server_errors == 11
    assert result.failures == 2


def test_a_run_without_the_result_line_is_an_error() -> None:
    with pytest.raises(wrk.WrkError, match="BENCH_RESULT"):
        wrk.parse_output("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_as_dict_is_json_with_string_status_keys() -> None:
    data = wrk.parse_output(WRK_OUTPUT).as_dict()

    assert json.loads(json.dumps(data))["statuses"] == {"200": 9300, "409": 50, "503": 11}
    assert data["non_2xx"] == 61


def test_lua_strings_escape_everything_but_plain_characters() -> None:
    assert wrk.lua_string('a "quoted"\\ line\n') == '"a \\034quoted\\034\\092 line\\010"'
    assert wrk.lua_string("é") == '"\\195\\169"'  # UTF-8 bytes


def test_the_script_sets_the_request_before_the_status_counter() -> None:
    request = wrk.Request("POST", {"Authorization": "Bearer t"}, body='{"name": "x"}')

    lua = wrk.script(request)

    preamble = lua.split("\n")[:3]
    assert preamble[0] == 'wrk.method = "POST"'
    assert preamble[1] == 'wrk.headers["Authorization"] = "Bearer t"'
    assert preamble[2].startswith("wrk.body = ")
    assert "function response(status, headers, body)" in lua
    assert "function delay()" not in lua  # no pause: each connection stays saturated


def test_a_paced_request_pauses_between_requests() -> None:
    lua = wrk.script(wrk.Request(pause_ms=20))

    assert "function delay() return 20 end" in lua.splitlines()


@pytest.mark.parametrize("url", ["http://10.0.0.5:8000/", "http://example.com/"])
def test_refuses_any_target_off_this_machine(url: str) -> None:
    with pytest.raises(wrk.WrkError, match="only targets this machine"):
        wrk.check_loopback(url)
