"""Load balancers: what a rule's protocol means at its frontend and at its backends.

A load-balancing or inbound NAT rule carries Tcp, Udp or All (both) from its frontend port to
its backend port (https://learn.microsoft.com/azure/load-balancer/components#load-balancing-rules,
https://learn.microsoft.com/rest/api/load-balancer/load-balancers/create-or-update#transportprotocol).
"""

from __future__ import annotations

# A rule's protocol, in lower case, as the protocol its listener takes.
LISTENER_PROTOCOLS = {"tcp": "tcp", "udp": "udp", "all": "tcp_udp"}


def listener_protocol(written: str) -> str | None:
    """The protocol a rule listens on; None: not one Azure takes."""
    return LISTENER_PROTOCOLS.get(written.lower())


def backend_protocol(listener: str) -> str:
    """The protocol the backends receive, as a target group names it."""
    return "udp" if listener == "udp" else "tcp"
