"""The ``IQuerablePageReader`` interface: reads a page of data items selected by a query string."""

from abc import ABC
from typing import Optional

from pip_services3_commons.data import DataPage, PagingParams, SortParams


class IQuerablePageReader(ABC):
    """Reads a page of data items selected by a query string.

    A mix-in for service interfaces: its methods raise :class:`NotImplementedError` until a
    class implements them. A service may list it before or after a persistence class in its
    bases; the persistence's implementation is used either way.
    """

    def get_page_by_query(self, correlation_id: Optional[str], query: Optional[str],
                          paging: Optional[PagingParams], sort: Optional[SortParams] = None) -> DataPage:
        """Gets one page of the items that match ``query``.

        :param correlation_id: (optional) transaction id to trace execution through call chain.
        :param query: (optional) the query string.
        :param paging: (optional) the paging parameters.
        :param sort: (optional) the sort parameters.
        :return: the page of matching items.
        """
        raise NotImplementedError('Method from interface definition')
