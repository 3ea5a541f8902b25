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

    def holds(self, items: List[Any]) -> bool:
        """Tells whether saving ``items`` would leave the data exactly as it is now."""
        raise NotImplementedError

    def check_replaceable(self, correlation_id: Optional[str]) -> None:
        """Raises when a later save could not work, so that ``open`` reports it at once."""
        raise NotImplementedError
