"""What a loader and saver tell the persistence when other objects may change the same data."""

from typing import Any, ContextManager, List, Optional

from ..ILoader import ILoader
from ..ISaver import ISaver


class SharedStorage(ILoader, ISaver):
    """A loader and saver whose data other objects, in this process or others, may also write.

    :class:`MemoryPersistence` asks it, before each operation, whether the data changed since
    this object last loaded or saved it (then it loads again), and holds its lock around each
    write, from that check to the end of the save. :class:`JsonFilePersister` is one.
    """

    def changed(self) -> bool:
        """Tells whether the data may differ from what this object last loaded or saved."""
        raise NotImplementedError

    def locked(self, correlation_id: Optional[str] = None) -> ContextManager[None]:
        """Excludes every other writer of the data for the ``with`` block; re-entrant."""
        raise NotImplementedError

    def hold(self, correlation_id: Optional[str] = None) -> None:
        """Takes the lock of :meth:`locked` until :meth:`let_go`, which any thread may call."""
        raise NotImplementedError

    def let_go(self) -> None:
        """Gives up the lock taken by :meth:`hold`."""
        raise NotImplementedError

    def holds(self, items: List[Any]) -> bool:
        """Tells whether saving ``items`` would leave the data exactly as it is now."""
        raise NotImplementedError

    def forget_seen_items(self) -> None:
        """Drops whatever was computed from items seen before, which may have changed in place."""
        raise NotImplementedError

    def release(self) -> None:
        """Lets go of what it holds open between operations, until it is used again."""
        raise NotImplementedError

    def check_replaceable(self, correlation_id: Optional[str]) -> None:
        """Raises when a later save could not work, so that ``open`` reports it at once."""
        raise NotImplementedError
