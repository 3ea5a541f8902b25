"""The ``IFilteredPageReader`` interface: reads a page of data items selected by a filter."""

from abc import ABC
from typing import Optional

from pip_services3_commons.data import DataPage, FilterParams, PagingParams, SortParams


class IFilteredPageReader(ABC):
    """Reads a page of data items selected by a filter.

    A mix-in for service interfaces: its methods raise :class:`NotImplementedError` until a
    class implements them. A service may list it before or after a persistence class in its
    bases; the persistence's implementation is used either way.
    """

    def get_page_by_filter(self, correlation_id: Optional[str], filter: Optional[FilterParams],
                           paging: Optional[PagingParams], sort: Optional[SortParams] = None) -> DataPage:
        """Gets one page of the items that match ``filter``.

        :param correlation_id: (optional) transaction id to trace execution through call chain.
        :param filter: (optional) the filter parameters.
        :param paging: (optional) the paging parameters.
        :param sort: (optional) the sort parameters.
        :return: the page of matching items.
        """
        raise NotImplementedError('Method from interface definition')
