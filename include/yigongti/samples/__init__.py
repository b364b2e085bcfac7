"""Deterministic, realistic sample feeds for every district (see ``generate_landing``)."""

from yigongti.samples.feeds import generate_landing

__all__ = ["generate_landing"]
