"""accounts takes a client's address from X-Forwarded-For only when the gateway is the peer
(TRUSTED_PROXIES). Wherever the stack runs that must name the gateway: too narrow, and every
client counts as the gateway (one throttling bucket, so one attacker locks everyone out); too
wide, and another peer could claim any address. The gateway overwrites a client's own
X-Forwarded-For (gateway/tests/integration/test_headers.py)."""

import ipaddress
from typing import Any

import pytest
from starlette.requests import Request

from accounts.config import Settings
from chassis.http.client_address import client_address, trusted_networks
from gateway.config import Settings as GatewaySettings

from .kube import ACCOUNTS_UNIT, ENVIRONMENTS, GATEWAY_UNIT, config_map, find, one
from .stack import compose, compose_service, environment, settings_default
from .test_ports import PORTS

CLIENT = "198.51.100.4"


def seen_as(trusted: str, peer: str, forwarded: str = CLIENT) -> str:
    """The client address accounts' own code takes from a request of `peer`."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/users",
        "headers": [(b"x-forwarded-for", forwarded.encode())],
        "client": (peer, 40000),
    }
    return client_address(Request(scope), trusted_networks(trusted))


# --- docker-compose.yml ------------------------------------------------------------------------


def compose_network() -> tuple[ipaddress.IPv4Network, ipaddress.IPv4Network]:
    """(subnet, range the containers without a fixed address are given) of the stack's one
    network."""
    (config,) = compose()["networks"]["default"]["ipam"]["config"]
    return ipaddress.IPv4Network(config["subnet"]), ipaddress.IPv4Network(config["ip_range"])


def gateway_address() -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(compose_service("gateway")["networks"]["default"]["ipv4_address"])


def test_compose_gives_the_gateway_a_fixed_address_no_other_container_can_get() -> None:
    subnet, assigned = compose_network()
    gateway = gateway_address()
    assert gateway in subnet
    assert assigned.subnet_of(subnet)
    assert gateway not in assigned
    others = set(compose()["services"]) - {"gateway"}
    assert {name for name in others if "networks" in compose_service(name)} == set()


def test_compose_gateway_is_the_edge_and_believes_no_x_forwarded_for() -> None:
    assert "GATEWAY_TRUSTED_PROXIES" not in environment("gateway")


def test_compose_accounts_believes_x_forwarded_for_from_the_gateway_only() -> None:
    trusted = environment("accounts-service")["TRUSTED_PROXIES"]
    assert trusted != settings_default(Settings, "TRUSTED_PROXIES")  # loopback: never the peer
    assert trusted_networks(trusted) == (ipaddress.ip_network(f"{gateway_address()}/32"),)
    subnet, assigned = compose_network()
    assert seen_as(trusted, str(gateway_address())) == CLIENT
    # projects-service, a one-shot, or this machine through the network's bridge
    for other in (assigned[0], assigned[-2], subnet[1]):
        assert seen_as(trusted, str(other)) == str(other)


# --- deploy/kubernetes -------------------------------------------------------------------------


@pytest.mark.parametrize("environment_name", ENVIRONMENTS)
def test_kubernetes_accounts_trusts_a_pod_network_set_in_its_config_map(
    environment_name: str,
) -> None:
    trusted = config_map(ACCOUNTS_UNIT, environment_name, "accounts-service")["TRUSTED_PROXIES"]
    networks = trusted_networks(trusted)
    assert networks, "TRUSTED_PROXIES names no network"
    for network in networks:
        assert network.is_private, network
        assert not network.is_loopback, network
        assert network.prefixlen >= 8, f"{network}: wider than any pod network"
    pod = str(next(networks[0].hosts()))
    assert seen_as(trusted, pod) == CLIENT
    assert seen_as(trusted, "203.0.113.9") == "203.0.113.9"  # a peer outside the pod network


def ingress_peers(port: int) -> list[dict[str, Any]]:
    """Every peer a NetworkPolicy of accounts lets reach its HTTP pods on `port`."""
    http = {"app.kubernetes.io/name": "accounts-service", "app.kubernetes.io/component": "http"}
    found = []
    for environment_name in ENVIRONMENTS:
        for policy in find(ACCOUNTS_UNIT, environment_name, "NetworkPolicy"):
            if not policy["spec"]["podSelector"].get("matchLabels", {}).items() <= http.items():
                continue
            for rule in policy["spec"].get("ingress", []):
                ports = {p["port"] for p in rule.get("ports", [])}
                if not ports or port in ports:
                    found += [peer for peer in rule.get("from", [{}]) if peer not in found]
    return found


def test_kubernetes_lets_only_the_gateway_projects_and_monitoring_reach_accounts_port() -> None:
    """The peers in the pod network that reach accounts' port: the gateway (which sets
    X-Forwarded-For), projects' HTTP pods (the JWKS) and Prometheus (/metrics), which send
    none, so their own address counts. Any other peer added here must be one of those kinds."""
    assert ingress_peers(PORTS["accounts-service"]) == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}},
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}},
        {
            "podSelector": {
                "matchLabels": {
                    "app.kubernetes.io/name": "projects-service",
                    "app.kubernetes.io/component": "http",
                }
            }
        },
    ]


ADMIN_PORT = settings_default(GatewaySettings, "GATEWAY_ADMIN_PORT")


@pytest.mark.parametrize("environment_name", ENVIRONMENTS)
def test_kubernetes_gateway_believes_the_ingress_controller_in_the_same_pod_network(
    environment_name: str,
) -> None:
    """Behind an ingress the gateway's peer is the ingress controller: without believing its
    X-Forwarded-For every client would reach accounts as one of a few ingress pods."""
    accounts = config_map(ACCOUNTS_UNIT, environment_name, "accounts-service")
    gateway = config_map(GATEWAY_UNIT, environment_name, "gateway")
    assert gateway["GATEWAY_TRUSTED_PROXIES"] == accounts["TRUSTED_PROXIES"]
    policy = one(GATEWAY_UNIT, environment_name, "NetworkPolicy", "gateway")
    assert policy["spec"]["ingress"] == [
        {
            "from": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}
                    }
                }
            ],
            "ports": [{"port": PORTS["gateway"], "protocol": "TCP"}],
        },
        # and Prometheus, on the admin port alone, which serves /metrics and nothing else
        {
            "from": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                    }
                }
            ],
            "ports": [{"port": ADMIN_PORT, "protocol": "TCP"}],
        },
    ]
