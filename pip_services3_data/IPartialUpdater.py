"""The ``IPartialUpdater`` interface: updates some fields of a data item."""

from abc import ABC
from typing import Any, Optional

from pip_services3_commons.data import AnyValueMap


class IPartialUpdater(ABC):
    """Updates some fields of a data item.

    A mix-in for service interfaces: its methods raise :class:`NotImplementedError` until a
    class implements them. A service may list it before or after a persistence class in its
    bases; the persistence's implementation is used either way.
    """

    def update_partially(self, correlation_id: Optional[str], id: Any, data: AnyValueMap) -> Any:
        """Sets the given fields of the item with the given id.

        :param correlation_id: (optional) transaction id to trace execution through call chain.
        :param id: the id of the item to update.
        :param data: the fields to set, by name.
        :return: the updated item, or ``None`` when no item has that id.
        """
        raise NotImplementedError('Method from interface definition')
