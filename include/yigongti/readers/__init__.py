"""Streaming, contract-driven readers of feed files."""

from yigongti.readers.errors import FeedFileError
from yigongti.readers.table import FeedFile, open_feed_file

__all__ = ["FeedFile", "FeedFileError", "open_feed_file"]
