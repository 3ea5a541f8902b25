"""The file persistence: a :class:`MemoryPersistence` that loads from and saves to a JSON file."""

from typing import Optional, TypeVar

from pip_services3_commons.config import ConfigParams

from .JsonFilePersister import JsonFilePersister
from .MemoryPersistence import MemoryPersistence

T = TypeVar('T')


class FilePersistence(MemoryPersistence[T]):
    """Keeps items of any type in memory and in one JSON file, through a :class:`JsonFilePersister`.

    The persister is both loader and saver: :meth:`open` loads the file, and every write
    saves the whole list atomically before it returns. Everything else is as in
    :class:`MemoryPersistence`.

    ### Configuration parameters ###
        - path: the path of the JSON file
        - options:
            - max_page_size: the largest number of items a page holds (default: 100)

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
        """Reads ``path`` and ``options.max_page_size``."""
        super().configure(config)
        self._persister.configure(config)
