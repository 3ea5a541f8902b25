"""The ``IWriter`` interface: creates, updates and deletes data items."""

from abc import ABC
from typing import Any, Optional


class IWriter(ABC):
    """Creates, updates and deletes data items.

    A mix-in for service interfaces: its methods raise :class:`NotImplementedError` until a
    class implements them. A service may list it before or after a persistence class in its
    bases; the persistence's implementation is used either way.
    """

    def create(self, correlation_id: Optional[str], item: Any) -> Any:
        """Creates an item.

        :param correlation_id: (optional) transaction id to trace execution through call chain.
        :param item: the item to create.
        :return: the created item.
        """
        raise NotImplementedError('Method from interface definition')

    def update(self, correlation_id: Optional[str], item: Any) -> Any:
        """Replaces the stored item that has the same id as ``item``.

        :param correlation_id: (optional) transaction id to trace execution through call chain.
        :param item: the new version of the item.
        :return: the updated item, or ``None`` when no item has that id.
        """
        raise NotImplementedError('Method from interface definition')

    def delete_by_id(self, correlation_id: Optional[str], id: Any) -> Any:
        """Deletes the item with the given id.

        :param correlation_id: (optional) transaction id to trace execution through call chain.
        :param id: the id of the item to delete.
        :return: the deleted item, or ``None`` when no item has that id.
        """
        raise NotImplementedError('Method from interface definition')
