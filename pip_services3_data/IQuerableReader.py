"""The ``IQuerableReader`` interface: reads a list of data items selected by a query string."""

from abc import ABC
from typing import Any, List, Optional

from pip_services3_commons.data import SortParams


class IQuerableReader(ABC):
    """Reads a list of data items selected by a query string.

    A mix-in for service interfaces: its methods raise :class:`NotImplementedError` until a
    class implements them. A service may list it before or after a persistence class in its
    bases; the persistence's implementation is used either way.
    """

    def get_list_by_query(self, correlation_id: Optional[str], query: Optional[str],
                          sort: Optional[SortParams] = None) -> List[Any]:
        """Gets the items that match ``query``.

        :param correlation_id: (optional) transaction id to trace execution through call chain.
        :param query: (optional) the query string.
        :param sort: (optional) the sort parameters.
        :return: the matching items.
        """
        raise NotImplementedError('Method from interface definition')
