"""Embedded persistence components: an in-memory store and a JSON file store cached in memory.

:class:`MemoryPersistence` keeps items in a list and saves them through an optional saver;
:class:`IdentifiableMemoryPersistence` adds CRUD by id. The file variants plug a
:class:`JsonFilePersister` in as loader and saver.
"""

__all__ = [
    'MemoryPersistence', 'IdentifiableMemoryPersistence',
    'FilePersistence', 'IdentifiableFilePersistence', 'JsonFilePersister',
]

from .MemoryPersistence import MemoryPersistence
from .IdentifiableMemoryPersistence import IdentifiableMemoryPersistence
from .JsonFilePersister import JsonFilePersister
from .FilePersistence import FilePersistence
from .IdentifiableFilePersistence import IdentifiableFilePersistence
