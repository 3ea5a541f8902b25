"""Finds an item, and its position in the item list, by its id without scanning the list."""

from bisect import bisect_left, insort
from typing import Any, Dict, List, Optional, Set

from ._ids import EXACT_ID_TYPES, is_valid_id
from ._item_fields import get_id


class IdIndex:
    """Maps ids to the items of a list and to their positions in it.

    The index is built from the list once and then told of every change by :class:`ItemStore`,
    which owns both; it never looks at the list again. Reads by id need only the item. For the
    position, each item gets a *slot*: its position when the index was built or, for later
    appends, the next free number. Deleting an item records its slot instead of renumbering
    every later item, so a delete costs ``O(log n)`` here and the list's own ``del`` stays the
    dominant cost. An item's position is its slot minus the number of removed slots below it.

    When several items share an id, the index knows the first one only; removing it makes the
    index :attr:`outdated`, since only a scan can find the next one. Items whose id is not an id
    (see :mod:`._ids`) are left out: no lookup can ask for them.
    """

    def __init__(self, items: List[Any]) -> None:
        self._item_by_id: Dict[Any, Any] = {}
        self._slot_by_id: Dict[Any, int] = {}
        self._duplicate_ids: Set[Any] = set()
        self._removed_slots: List[int] = []
        self._slot_count = len(items)
        #: The number of items the list holds according to the index.
        self.length = len(items)
        #: Set when the index can no longer answer; the owner then builds a new one.
        self.outdated = False
        for position, item in enumerate(items):
            item_id = get_id(item)
            if type(item_id) not in EXACT_ID_TYPES and not is_valid_id(item_id):
                # No lookup can ask for it (lookups take ids only), and it may not be hashable:
                # a custom loader or a subclass put it there.
                continue
            if item_id in self._slot_by_id:
                self._duplicate_ids.add(item_id)
            else:
                self._item_by_id[item_id] = item
                self._slot_by_id[item_id] = position

    def item_with(self, item_id: Any) -> Any:
        """Returns the first item with ``item_id``, or ``None``."""
        return self._item_by_id.get(item_id)

    def position_of(self, item_id: Any) -> Optional[int]:
        """Returns the position of the first item with ``item_id``, or ``None``."""
        slot = self._slot_by_id.get(item_id)
        if slot is None:
            return None
        removed_slots = self._removed_slots
        # Items created and deleted again leave their slots above all others; below the lowest
        # removed slot, positions need no bisection.
        if removed_slots and removed_slots[0] < slot:
            return slot - bisect_left(removed_slots, slot)
        return slot

    def appended(self, item_id: Any, item: Any) -> None:
        """Notes that ``item``, with ``item_id``, was appended to the list."""
        if item_id in self._slot_by_id:
            self._duplicate_ids.add(item_id)
        else:
            self._slot_by_id[item_id] = self._slot_count
            self._item_by_id[item_id] = item
        self._slot_count += 1
        self.length += 1

    def replaced(self, item_id: Any, item: Any) -> None:
        """Notes that the first item with ``item_id`` was replaced by ``item``, which has the same id."""
        self._item_by_id[item_id] = item

    def removed(self, item_id: Any) -> None:
        """Notes that the first item with ``item_id`` was deleted from the list."""
        self.length -= 1
        if item_id in self._duplicate_ids:
            self.outdated = True
            return
        del self._item_by_id[item_id]
        insort(self._removed_slots, self._slot_by_id.pop(item_id))
        # Past this many removed slots a new index is cheaper than the bisections it saves.
        if len(self._removed_slots) > 1024 + self._slot_count // 16:
            self.outdated = True

    def differences_from(self, items: List[Any]) -> List[str]:
        """Describes where this index disagrees with an index built from ``items`` now; empty
        when it is in step. Costs a full scan: for tests and diagnostics."""
        built = IdIndex(items)
        differences = []
        if self.length != len(items):
            differences.append(f'the index counts {self.length} items, the list holds {len(items)}')
        for item_id, item in built._item_by_id.items():
            if self._item_by_id.get(item_id) is not item:
                differences.append(f'id {item_id!r} leads to another item than the first with that id')
            elif self.position_of(item_id) != built.position_of(item_id):
                differences.append(f'id {item_id!r} has position {self.position_of(item_id)}, '
                                   f'not {built.position_of(item_id)}')
        for item_id in self._item_by_id.keys() - built._item_by_id.keys():
            differences.append(f'id {item_id!r} is indexed but no item has it')
        for item_id in built._duplicate_ids - self._duplicate_ids:
            differences.append(f'id {item_id!r} is stored more than once, which the index does not know')
        return differences
