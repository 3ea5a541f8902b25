"""Finds an item, and its position in the item list, by its id without scanning the list."""

from bisect import bisect_left, insort
from typing import Any, Dict, List, Optional, Set

from ._item_fields import get_id
from ._item_list import ItemList


class IdIndex:
    """Maps ids to the items of an :class:`ItemList` and to their positions in it.

    Reads by id need only the item, which the index hands over without touching the list. For
    the position, each item gets a *slot*: its position when the index was last rebuilt or, for
    later appends, the next free number. Deleting an item records its slot instead of renumbering
    every later item, so a delete costs ``O(log n)`` here and the list's own ``del`` stays the
    dominant cost. An item's position is its slot minus the number of removed slots below it.

    The index trusts only itself and the list's :attr:`ItemList.modified` flag: it is rebuilt
    when the list was changed by anything else, when a found item does not carry the id that
    led to it (a subclass changed an id in place), when an id stored more than once is removed,
    and when the removed slots pile up.
    """

    def __init__(self) -> None:
        self._item_by_id: Dict[Any, Any] = {}
        self._slot_by_id: Dict[Any, int] = {}
        self._removed_slots: List[int] = []
        self._slot_count = 0
        self._duplicate_ids: Set[Any] = set()
        self._current = False

    def item_with(self, items: ItemList[Any], item_id: Any) -> Any:
        """Returns the first item with ``item_id`` in ``items`` (the live item), or ``None``."""
        if items.modified or not self._current:
            self._rebuild(items)
        item = self._item_by_id.get(item_id)
        if item is None:
            return None
        # get_id() inlined: this check runs on every read by id.
        found_id = item.get('id') if isinstance(item, dict) else getattr(item, 'id', None)
        if found_id != item_id:
            self._rebuild(items)
            item = self._item_by_id.get(item_id)
        return item

    def position_of(self, items: ItemList[Any], item_id: Any) -> Optional[int]:
        """Returns the position of the first item with ``item_id`` in ``items``, or ``None``."""
        if items.modified or not self._current:
            self._rebuild(items)
        slot = self._slot_by_id.get(item_id)
        if slot is None:
            return None
        removed_slots = self._removed_slots
        # Items created and deleted again leave their slots above all others; below the lowest
        # removed slot, positions need no bisection.
        removed_below = bisect_left(removed_slots, slot) if removed_slots and removed_slots[0] < slot else 0
        position = slot - removed_below
        # get_id() inlined: this check runs on every lookup by id.
        if position < len(items):
            item = items[position]
            found_id = item.get('id') if isinstance(item, dict) else getattr(item, 'id', None)
            if found_id == item_id:
                return position
        self._rebuild(items)
        return self._slot_by_id.get(item_id)

    def record_append(self, items: ItemList[Any], item_id: Any, item: Any) -> None:
        """Notes that ``item``, with ``item_id``, was appended to ``items`` behind the flag's back."""
        if items.modified or not self._current:
            return
        if item_id in self._slot_by_id:
            self._duplicate_ids.add(item_id)
        else:
            self._slot_by_id[item_id] = self._slot_count
            self._item_by_id[item_id] = item
        self._slot_count += 1

    def record_replacement(self, items: ItemList[Any], item_id: Any, item: Any) -> None:
        """Notes that the first item with ``item_id`` in ``items`` was replaced by ``item``."""
        if items.modified or not self._current:
            return
        self._item_by_id[item_id] = item

    def record_removal(self, items: ItemList[Any], item_id: Any) -> None:
        """Notes that the first item with ``item_id`` was deleted from ``items``."""
        if items.modified or not self._current:
            return
        if item_id in self._duplicate_ids:
            # The next item with this id becomes the first one, and only a scan can find it.
            self._current = False
            return
        del self._item_by_id[item_id]
        insort(self._removed_slots, self._slot_by_id.pop(item_id))
        # Past this many removed slots a rebuild is cheaper than the bisections it saves.
        if len(self._removed_slots) > 1024 + self._slot_count // 16:
            self._current = False

    def _rebuild(self, items: ItemList[Any]) -> None:
        item_by_id: Dict[Any, Any] = {}
        slot_by_id: Dict[Any, int] = {}
        duplicate_ids: Set[Any] = set()
        for position, item in enumerate(items):
            item_id = get_id(item)
            if item_id in slot_by_id:
                duplicate_ids.add(item_id)
            else:
                item_by_id[item_id] = item
                slot_by_id[item_id] = position
        self._item_by_id = item_by_id
        self._slot_by_id = slot_by_id
        self._duplicate_ids = duplicate_ids
        self._removed_slots = []
        self._slot_count = len(items)
        self._current = True
        items.modified = False
