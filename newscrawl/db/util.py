"""Helpers the store's queries share."""


def chunks(values: list, size: int = 500):
    """``values`` in slices of at most ``size``: IN lists stay within every driver's parameter limit."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
