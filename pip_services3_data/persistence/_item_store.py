"""The one owner of a persistence's items, their id index and every change made to them."""

from typing import Any, Callable, List, Optional

from ._id_index import IdIndex
from ._item_fields import get_id


class IndexOutOfStep(AssertionError):
    """The id index disagreed with the items; raised only while :attr:`ItemStore.verify_index` is set."""


class ItemStore:
    """Holds the item list, keeps its :class:`IdIndex` in step, and can undo its changes.

    The persistences change the items only through :meth:`append`, :meth:`replace`,
    :meth:`remove` and :meth:`replace_all`, which tell the index, and which
    :meth:`roll_back` undoes when a save fails. Subclasses of the persistences get the live
    list itself through :meth:`lend` (their ``self._items``) and may change it in every way a
    list allows, including through the list type's own C functions, which nothing can observe.
    So the index is trusted only while the list has not been lent: lending drops it, and the
    next lookup by id builds a new one.

    A lookup also checks that the index counts as many items as the list holds; a list kept by
    a subclass and changed after a later library call fails that check when its length changed,
    and the index is then built again and ``on_out_of_step`` told. With :attr:`verify_index`
    set (the test suite sets it), every lookup compares the index with a freshly built one and
    raises :class:`IndexOutOfStep` instead of repairing anything.
    """

    #: Compare the index with the items at every lookup and raise on any difference.
    verify_index = False

    def __init__(self, on_out_of_step: Callable[[str], None]) -> None:
        self.items: List[Any] = []
        self._index: Optional[IdIndex] = None
        self._undo_log: Optional[List[Callable[[], None]]] = None
        self._on_out_of_step = on_out_of_step
        #: Set when the list was lent and may have changed without this store seeing it.
        self.lent = False

    def lend(self) -> List[Any]:
        """Returns the live list for a subclass to read or change; the index is rebuilt after."""
        self._index = None
        self.lent = True
        return self.items

    def adopt(self, items: List[Any]) -> None:
        """Makes ``items`` (a subclass's own list, kept as it is) the live list."""
        self.items = items
        self.lend()

    def reset(self, items: List[Any]) -> None:
        """Makes ``items`` the live list, as loaded: nothing is lent and nothing to undo."""
        self.items = items
        self._index = None
        self.lent = False

    @property
    def index(self) -> IdIndex:
        """The id index, built when there is none yet."""
        index = self._built_index()
        if index is None:
            index = self._index = IdIndex(self.items)
        return index

    def _built_index(self) -> Optional[IdIndex]:
        """The index if one is built and in step with the list, else ``None``."""
        index = self._index
        if index is None:
            return None
        if index.outdated:
            self._index = None
            return None
        if self.verify_index:
            differences = index.differences_from(self.items)
            if differences:
                raise IndexOutOfStep('; '.join(differences))
        elif index.length != len(self.items):
            self._on_out_of_step(
                f'The item list holds {len(self.items)} items where {index.length} were expected: '
                'it was changed without the persistence seeing it; the id index is rebuilt')
            self._index = None
            return None
        return index

    # Changes. Each applies to the list and, when one is built, the index, and logs its own undo.

    def append(self, item: Any) -> None:
        """Appends ``item``."""
        index = self._built_index()
        self.items.append(item)
        if index is not None:
            index.appended(get_id(item), item)
        self._log_undo(self.items.pop)

    def replace(self, position: int, item: Any) -> None:
        """Replaces the item at ``position`` by ``item``, which has the same id."""
        index = self._built_index()
        previous = self.items[position]
        self.items[position] = item
        if index is not None:
            index.replaced(get_id(item), item)
        self._log_undo(lambda: self.items.__setitem__(position, previous))

    def remove(self, position: int) -> Any:
        """Removes the item at ``position``, which must be the first with its id, and returns it."""
        index = self._built_index()
        removed = self.items.pop(position)
        if index is not None:
            index.removed(get_id(removed))
        self._log_undo(lambda: self.items.insert(position, removed))
        return removed

    def replace_all(self, items: List[Any]) -> None:
        """Makes ``items`` the whole content of the store."""
        previous = self.items
        self.items = items
        self._index = None
        self._log_undo(lambda: setattr(self, 'items', previous))

    def saved(self) -> None:
        """Notes that the items were saved as they are now: a subclass that changed the lent list
        is done with it, so the index is built anew at the next lookup."""
        self._index = None
        self.lent = False

    # Undo.

    def begin(self) -> None:
        """Starts logging changes, so that :meth:`roll_back` can undo them."""
        self._undo_log = []

    def changed(self) -> bool:
        """Tells whether a change was made since :meth:`begin`."""
        return bool(self._undo_log)

    def commit(self) -> None:
        """Keeps the changes made since :meth:`begin`."""
        self._undo_log = None

    def roll_back(self) -> None:
        """Undoes every change made since :meth:`begin`, the last first."""
        undo_log, self._undo_log = self._undo_log or [], None
        for undo in reversed(undo_log):
            undo()
        # The undone changes reached the list; a new index is cheaper to get right than to replay.
        self._index = None

    def _log_undo(self, undo: Callable[[], Any]) -> None:
        if self._undo_log is not None:
            self._undo_log.append(undo)
