"""The command line's value types: each bad value is a usage error (exit 2) saying what to
give instead."""

from __future__ import annotations

import argparse


def port(text: str) -> int:
    """A TCP port: 0 (any free one) to 65535."""
    if not text.isascii() or not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: use 0 to 65535 (0: any "
                                         "free one)")
    return int(text)


def interval(text: str) -> float:
    """How often to look for changes: 0.05 to 3600 seconds."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.05 <= value <= 3600:  # (NaN fails too)
        raise argparse.ArgumentTypeError(f"{text!r} seconds: use a number from 0.05 to 3600")
    return value


def positive(value: str) -> int:
    """A count: 1 or more (--jobs)."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return int(value)


def shard_arg(value: str) -> tuple[int, int]:
    """K/N: the K-th of N shares (--shard)."""
    k, _, n = value.partition("/")
    if not (k.isdigit() and n.isdigit()) or not 1 <= int(k) <= int(n):
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N, like 2/4; got {value!r}")
    return int(k), int(n)


def ids(text: str) -> list[str]:
    """Comma-separated ids, at least one (--conditions)."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise argparse.ArgumentTypeError("name at least one condition id")
    return ids
