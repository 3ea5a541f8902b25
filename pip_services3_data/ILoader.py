"""The ``ILoader`` interface: loads a whole list of data items from a data source."""

from abc import ABC
from typing import Any, List, Optional


class ILoader(ABC):
    """Loads a whole list of data items from a data source.

    A mix-in for service interfaces: its methods raise :class:`NotImplementedError` until a
    class implements them. A service may list it before or after a persistence class in its
    bases; the persistence's implementation is used either way.
    """

    def load(self, correlation_id: Optional[str]) -> List[Any]:
        """Loads all items.

        :param correlation_id: (optional) transaction id to trace execution through call chain.
        :return: the loaded items.
        """
        raise NotImplementedError('Method from interface definition')
