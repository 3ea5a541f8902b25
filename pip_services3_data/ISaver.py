"""The ``ISaver`` interface: saves a whole list of data items to a data source."""

from abc import ABC
from typing import Any, List, Optional


class ISaver(ABC):
    """Saves a whole list of data items to a data source.

    A mix-in for service interfaces: its methods raise :class:`NotImplementedError` until a
    class implements them. A service may list it before or after a persistence class in its
    bases; the persistence's implementation is used either way.
    """

    def save(self, correlation_id: Optional[str], items: List[Any]) -> None:
        """Saves all items, replacing what the data source held.

        :param correlation_id: (optional) transaction id to trace execution through call chain.
        :param items: the items to save.
        """
        raise NotImplementedError('Method from interface definition')
