"""Errors raised by stores, each with a message that tells the user what to check next."""


class StoreError(RuntimeError):
    """Base class of store failures."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or opened (server down, wrong password, locked file)."""


class WriteRefused(StoreError):
    """A query given to the read-only path would modify the graph."""


class QueryTimeout(StoreError):
    """A read query ran longer than the time it was given."""


class QueryTooLarge(StoreError):
    """A read query, its parameters or its answer exceed what the read-only path takes (size or memory)."""
