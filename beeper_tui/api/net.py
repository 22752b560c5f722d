"""Addresses: the one place that decides whether a host or URL is this machine."""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit, urlunsplit

__all__ = ["display_url", "is_loopback_host", "is_loopback_url"]


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a name or an IP address, IPv6 with or without brackets) is this machine."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` points at this machine."""
    return is_loopback_host(urlsplit(url).hostname or "")


def display_url(url: str) -> str:
    """``url`` without any ``user:password@`` part, for screens, logs and error messages.

    Anything that is not a URL with credentials comes back unchanged.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host))
