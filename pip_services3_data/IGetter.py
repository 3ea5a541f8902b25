"""The ``IGetter`` interface: reads one data item by its unique id."""

from typing import Any, Optional

from pip_services3_commons.data import IIdentifiable


class IGetter(IIdentifiable):
    """Reads one data item by its unique id.

    A mix-in for service interfaces: its methods raise :class:`NotImplementedError` until a
    class implements them. A service may list it before or after a persistence class in its
    bases; the persistence's implementation is used either way.
    """

    def get_one_by_id(self, correlation_id: Optional[str], id: Any) -> Any:
        """Gets the item with the given id.

        :param correlation_id: (optional) transaction id to trace execution through call chain.
        :param id: the id of the item to get.
        :return: the item, or ``None`` when no item has that id.
        """
        raise NotImplementedError('Method from interface definition')
