"""The file persistence of items with ids: CRUD by id over a JSON file cached in memory."""

from typing import Optional, TypeVar

from pip_services3_commons.config import ConfigParams

from .JsonFilePersister import JsonFilePersister
from .IdentifiableMemoryPersistence import IdentifiableMemoryPersistence

T = TypeVar('T')
K = TypeVar('K')


class IdentifiableFilePersistence(IdentifiableMemoryPersistence[T, K]):
    """Keeps items with ids in memory and in one JSON file, through a :class:`JsonFilePersister`.

    The persister is both loader and saver: :meth:`open` loads the file, and every write
    saves the whole list atomically before it returns. Everything else is as in
    :class:`IdentifiableMemoryPersistence`.

    ### Configuration parameters ###
        - path: the path of the JSON file
        - options:
            - max_page_size: the largest number of items a page holds (default: 100)
            - unique_ids: reject ``create`` with an id already stored (default: false)

    ### References ###
        - ``*:logger:*:*:1.0``: (optional) loggers that receive trace messages
    """

    def __init__(self, persister: Optional[JsonFilePersister[T]] = None) -> None:
        """Creates a closed persistence.

        :param persister: (optional) the file persister; a new one, with its path still to be
            configured, when omitted.
        """
        persister = persister if persister is not None else JsonFilePersister()
        super().__init__(persister, persister)
        self._persister = persister

    def configure(self, config: ConfigParams) -> None:
        """Reads ``path``, ``options.max_page_size`` and ``options.unique_ids``."""
        super().configure(config)
        self._persister.configure(config)
