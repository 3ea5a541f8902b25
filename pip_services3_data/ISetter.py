"""The ``ISetter`` interface: creates or replaces data items."""

from abc import ABC
from typing import Any, Optional


class ISetter(ABC):
    """Creates or replaces data items.

    A mix-in for service interfaces: its methods raise :class:`NotImplementedError` until a
    class implements them. A service may list it before or after a persistence class in its
    bases; the persistence's implementation is used either way.
    """

    def set(self, correlation_id: Optional[str], item: Any) -> Any:
        """Replaces the item with the same id, or creates it when there is none.

        :param correlation_id: (optional) transaction id to trace execution through call chain.
        :param item: the item to store.
        :return: the stored item.
        """
        raise NotImplementedError('Method from interface definition')
