"""The JSON text of each saved item, kept so that a save encodes only the items that changed."""

from itertools import compress, count, islice
from operator import is_, is_not
from typing import Any, Callable, Iterable, List


class ItemTexts:
    """Remembers the items of the last save and their texts, to reuse for the same objects.

    The persistences never change a stored item in place: a write replaces it with a new
    object. So an item that is the very object saved last time still has the text it had,
    and a save of a list that differs by one created, replaced or deleted item encodes that
    one item. Items are matched by identity where the two lists agree from the start and from
    the end; whatever lies between is encoded again. Call :meth:`forget` when items may have
    been changed in place (a subclass was handed the live list).
    """

    def __init__(self) -> None:
        self._items: List[Any] = []
        self._texts: List[bytes] = []

    def texts_of(self, items: List[Any], encode: Callable[[Any, int], bytes]) -> List[bytes]:
        """Returns the text of each of ``items``, encoding with ``encode(item, position)`` only
        those not saved last time as the same object, and remembers them all for the next save.

        The list returned is the one remembered, changed in place rather than copied: use it
        before the next call. When ``encode`` raises, everything is forgotten.
        """
        previous_items, texts = self._items, self._texts
        shortest = min(len(items), len(previous_items))
        prefix = _count_same(items, previous_items, shortest)
        suffix = _count_same(reversed(items), reversed(previous_items), shortest - prefix)
        middle = items[prefix:len(items) - suffix]
        previous_end = len(previous_items) - suffix
        try:
            if len(middle) == previous_end - prefix:
                # Items replaced in place, by one or several writes: only those are encoded.
                previous_middle = previous_items[prefix:previous_end]
                for offset in compress(count(), map(is_not, middle, previous_middle)):
                    texts[prefix + offset] = encode(middle[offset], prefix + offset)
            else:
                texts[prefix:previous_end] = [encode(item, position) for position, item in enumerate(middle, prefix)]
        except BaseException:
            self.forget()
            raise
        self._items = items
        return texts

    def forget(self) -> None:
        """Drops every remembered text: the next save encodes every item."""
        self._items, self._texts = [], []


def _count_same(items: Iterable[Any], previous_items: Iterable[Any], limit: int) -> int:
    """How many leading entries, up to ``limit``, are the same objects in both."""
    same = list(islice(map(is_, items, previous_items), limit))
    try:
        return same.index(False)
    except ValueError:
        return len(same)
