"""Errors that reject a whole file before any row reaches the warehouse."""

from __future__ import annotations


class FeedFileError(Exception):
    """A file that cannot be read as its feed's contract says.

    ``rule`` is stable (stored in ops.batch_log.rules_failed); the message is
    for the people on duty (Chinese).
    """

    def __init__(self, rule: str, message: str, sample: list | None = None):
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.sample = sample or []
