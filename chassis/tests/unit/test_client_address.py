from fastapi import Request

from chassis import client_address, trusted_networks

GATEWAY = trusted_networks("127.0.0.1/32, ::1")


def request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request({"type": "http", "client": (peer, 5000), "headers": headers})


def test_the_gateways_forwarded_address_is_believed() -> None:
    assert client_address(request("127.0.0.1", "203.0.113.7"), GATEWAY) == "203.0.113.7"
    assert client_address(request("::1", "2001:db8::1"), GATEWAY) == "2001:db8::1"


def test_anyone_elses_forwarded_header_is_ignored() -> None:
    assert client_address(request("198.51.100.2", "203.0.113.7"), GATEWAY) == "198.51.100.2"


def test_the_last_entry_counts_and_junk_falls_back_to_the_peer() -> None:
    assert client_address(request("127.0.0.1", "1.1.1.1, 203.0.113.7"), GATEWAY) == "203.0.113.7"
    assert client_address(request("127.0.0.1", "not-an-ip"), GATEWAY) == "127.0.0.1"
    assert client_address(request("127.0.0.1"), GATEWAY) == "127.0.0.1"


def test_networks_are_read_from_a_comma_separated_list() -> None:
    assert [str(n) for n in trusted_networks("10.0.0.0/8,, 192.168.1.1")] == [
        "10.0.0.0/8",
        "192.168.1.1/32",
    ]
