"""The storage layer of the file persistences: a whole item list in one JSON file."""

from typing import Any, Generic, List, Optional, TypeVar

from pip_services3_commons.config import ConfigParams, IConfigurable
from pip_services3_commons.errors import ConfigException, FileException

from ..ILoader import ILoader
from ..ISaver import ISaver
from ._atomic_file import remove_stale_temporary_files, write_atomically
from ._json_conversion import items_from_json, items_to_json

T = TypeVar('T')


class JsonFilePersister(ILoader, ISaver, IConfigurable, Generic[T]):
    """Loads and saves a whole list of items as one JSON array in a UTF-8 file.

    It knows nothing of ids or queries; :class:`FilePersistence` and
    :class:`IdentifiableFilePersistence` use it as their loader and saver. A save replaces the
    file atomically (temporary file, fsync, rename, directory fsync), so the file is always
    either the previous or the new whole array, also when the process is killed mid-save.
    Only one process may write a given file.

    ### Configuration parameters ###
        - path: the path of the JSON file

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), 'names.json')
    >>> persister = JsonFilePersister(path)
    >>> persister.save('123', ['A', 'B', 'C'])
    >>> persister.load('123')
    ['A', 'B', 'C']
    """

    def __init__(self, path: Optional[str] = None, item_type: Optional[type] = None) -> None:
        """Creates a persister.

        :param path: (optional) the path of the JSON file; can also be configured.
        :param item_type: (optional) the class loaded objects become: ``item_type.from_json(mapping)``
            when it defines that, otherwise an instance made without ``__init__`` whose attributes
            are set from the mapping. Without it, objects load as dicts that also allow attribute
            access.
        """
        self._path = path
        self._item_type = item_type

    @property
    def path(self) -> Optional[str]:
        """The path of the JSON file."""
        return self._path

    @path.setter
    def path(self, value: Optional[str]) -> None:
        self._path = value

    def configure(self, config: ConfigParams) -> None:
        """Reads ``path``; an absent key keeps the current path."""
        path = config.get_as_nullable_string('path')
        if path is not None:
            self._path = path

    def load(self, correlation_id: Optional[str]) -> List[T]:
        """Reads all items from the file.

        :return: the items; an empty list when the file does not exist or holds only white space.
        :raises ConfigException: ``NO_PATH`` when no path is set.
        :raises FileException: ``READ_FAILED`` when the file cannot be read, is not JSON, its
            top level is not an array, or ``item_type`` cannot take one of its objects.
        """
        path = self._require_path(correlation_id)
        remove_stale_temporary_files(path)
        try:
            with open(path, 'rb') as file:
                content = file.read()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise self._read_failed(correlation_id, path, error) from error
        try:
            return items_from_json(content, self._item_type)
        except Exception as error:
            raise self._read_failed(correlation_id, path, error) from error

    def save(self, correlation_id: Optional[str], items: List[T]) -> None:
        """Replaces the file's content with ``items``; on any failure the file is left as it was.

        :raises ConfigException: ``NO_PATH`` when no path is set.
        :raises FileException: ``WRITE_FAILED`` when a value cannot be represented in JSON or
            the file cannot be written.
        """
        path = self._require_path(correlation_id)
        try:
            content = items_to_json(items)
        except (TypeError, ValueError, RecursionError) as error:
            raise self._write_failed(correlation_id, path, f'cannot serialise the items: {error}', error) from error
        try:
            write_atomically(path, content)
        except OSError as error:
            raise self._write_failed(correlation_id, path, str(error), error) from error

    def _require_path(self, correlation_id: Optional[str]) -> str:
        if not self._path:
            raise ConfigException(correlation_id, 'NO_PATH', 'The path of the data file is not set')
        return self._path

    @staticmethod
    def _read_failed(correlation_id: Optional[str], path: str, error: Exception) -> FileException:
        exception = FileException(correlation_id, 'READ_FAILED', f'Failed to read data file {path}: {error}')
        exception.with_details('path', path).with_cause(error)
        return exception

    @staticmethod
    def _write_failed(correlation_id: Optional[str], path: str, reason: str, error: Any) -> FileException:
        exception = FileException(correlation_id, 'WRITE_FAILED', f'Failed to write data file {path}: {reason}')
        exception.with_details('path', path).with_cause(error)
        return exception
