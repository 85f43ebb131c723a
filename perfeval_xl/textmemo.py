"""A cache for functions of short texts (standard library only, part of the core).

A batch's forms repeat their labels, targets and results, so the rules remember what they worked out
per distinct text; every distinct text stays in such a cache up to its size limit, so only short ones
are kept (a worker's memory stays flat) and the batch empties them every so many files
(:func:`perfeval_xl.filerows._forget_texts`, through ``cache_clear``).

The two hottest of these caches, ``values._parse_text`` and ``words._attainment`` (called for every
target and result), keep the same test inline in their callers instead: one more Python call on that
path cost 3–8 % of scoring (300 clerk workbooks, medians of 9).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

#: calls whose texts together are longer than this are worked out afresh, not remembered
LONGEST = 200

_F = TypeVar("_F", bound=Callable[..., Any])


def short_texts(maxsize: int) -> Callable[[_F], _F]:
    """Decorate a function of texts: a call whose arguments (texts) are at most :data:`LONGEST`
    characters together goes through an LRU cache of ``maxsize`` entries; any other call (longer
    texts, or a number, which has no length) is computed afresh. ``cache_clear`` and ``__wrapped__`` as for ``lru_cache``."""

    def decorate(fn: _F) -> _F:
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(*texts: Any) -> Any:
            try:
                short = sum(map(len, texts)) <= LONGEST
            except TypeError:  # a number: no length
                short = False
            return cached(*texts) if short else fn(*texts)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return decorate
