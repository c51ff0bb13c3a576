"""``once``: :func:`functools.cached_property` without its lock, for facts of the many small objects of a page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class once(Generic[T]):
    """A property computed on first use and kept in the instance's ``__dict__`` (later reads never reach it).
    Python 3.11's ``cached_property`` takes a lock on every first use: a third of a microsecond, over every line
    of every page."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = instance.__dict__[self.name] = self.func(instance)
        return value
