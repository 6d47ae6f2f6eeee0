"""Streaming xlsx scanner (placeholder)."""


class StreamUnsupported(Exception):
    pass


def stream_sheets(path):
    raise StreamUnsupported("not implemented")
