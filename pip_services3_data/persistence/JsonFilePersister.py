"""The storage layer of the file persistences: a whole item list in one JSON file."""

import os
from typing import Any, ContextManager, Generic, List, Optional, TypeVar

from pip_services3_commons.config import ConfigParams, IConfigurable
from pip_services3_commons.errors import ConfigException, FileException

from ._atomic_file import SeenFile, read_whole, remove_stale_temporary_files, replacement_problem, write_atomically
from ._file_lock import FileLock
from ._json_conversion import items_from_json, items_to_json
from ._shared_storage import SharedStorage

T = TypeVar('T')


class JsonFilePersister(SharedStorage, IConfigurable, Generic[T]):
    """Loads and saves a whole list of items as one JSON array in a UTF-8 file.

    It knows nothing of ids or queries; :class:`FilePersistence` and
    :class:`IdentifiableFilePersistence` use it as their loader and saver. A save replaces the
    file atomically (temporary file, fsync, rename, directory fsync), so the file is always
    either the previous or the new whole array, also when the process is killed mid-save.
    Any number of persisters, in one process or several, may use one file: each save holds an
    exclusive lock on ``.<name>.lock`` beside the file, and :meth:`changed` tells whether
    another one wrote the file since this one last loaded or saved it.

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
        self._seen: Optional[SeenFile] = None
        self._lock = FileLock()

    @property
    def path(self) -> Optional[str]:
        """The path of the JSON file."""
        return self._path

    @path.setter
    def path(self, value: Optional[str]) -> None:
        self._path = value
        self._forget_seen_file()

    def configure(self, config: ConfigParams) -> None:
        """Reads ``path``; an absent key keeps the current path."""
        path = config.get_as_nullable_string('path')
        if path is not None:
            self.path = path

    def load(self, correlation_id: Optional[str]) -> List[T]:
        """Reads all items from the file.

        :return: the items; an empty list when the file does not exist or holds only white space.
        :raises ConfigException: ``NO_PATH`` when no path is set.
        :raises FileException: ``READ_FAILED`` when the file cannot be read, is not a regular
            file, is not JSON, its top level is not an array, or ``item_type`` cannot take one
            of its objects.
        """
        path = self._real_path(correlation_id)
        self._remove_stale_temporary_files(path)
        try:
            content, seen = read_whole(path)
        except OSError as error:
            raise self._read_failed(correlation_id, path, error) from error
        # Remembered even when the content is bad, so that the file is read again only once
        # someone changed it.
        self._remember(seen)
        try:
            return [] if content is None else items_from_json(content, self._item_type)
        except Exception as error:
            raise self._read_failed(correlation_id, path, error) from error

    def save(self, correlation_id: Optional[str], items: List[T]) -> None:
        """Replaces the file's content with ``items``; on any failure the file is left as it was.

        :raises ConfigException: ``NO_PATH`` when no path is set.
        :raises FileException: ``WRITE_FAILED`` when a value cannot be represented in JSON or
            the file cannot be written.
        """
        path = self._real_path(correlation_id)
        content = self._encode(correlation_id, path, items)
        try:
            with self.locked():
                self._remember(write_atomically(path, content))
        except OSError as error:
            raise self._write_failed(correlation_id, path, str(error), error) from error

    def changed(self) -> bool:
        """Tells whether the file was written, replaced or removed by anyone since this persister
        last loaded or saved it (always true before the first load or save)."""
        return self._seen is None or self._seen.changed()

    def locked(self, correlation_id: Optional[str] = None) -> ContextManager[None]:
        """Holds the file's write lock, shared with every persister of the file in any process,
        for the ``with`` block. Re-entrant; :meth:`save` takes it by itself.

        :raises ConfigException: ``NO_PATH`` when no path is set.
        """
        path = self._real_path(correlation_id)
        directory, name = os.path.split(path)
        os.makedirs(directory, mode=0o775, exist_ok=True)
        return self._lock.held(os.path.join(directory, f'.{name}.lock'))

    def holds(self, items: List[Any]) -> bool:
        """Tells whether the file holds exactly what saving ``items`` would write."""
        path = self._real_path(None)
        try:
            content, seen = read_whole(path)
        except OSError:
            return False
        seen.close()
        return (content or b'[]') == self._encode(None, path, items)

    def check_replaceable(self, correlation_id: Optional[str]) -> None:
        """Makes sure a save can replace the file: its folder is writable and it is no mount point.

        :raises FileException: ``NOT_REPLACEABLE``, saying what to change.
        """
        path = self._real_path(correlation_id)
        problem = replacement_problem(path)
        if problem is not None:
            raise FileException(correlation_id, 'NOT_REPLACEABLE', problem).with_details('path', path)

    def _remove_stale_temporary_files(self, path: str) -> None:
        # Only while no writer holds the lock: then no temporary file belongs to a live one.
        directory, name = os.path.split(path)
        if not os.path.isdir(directory):
            return
        try:
            with self._lock.held_if_free(os.path.join(directory, f'.{name}.lock')) as free:
                if free:
                    remove_stale_temporary_files(path)
        except OSError:
            # A reader in a folder it cannot write cannot create the lock file, nor remove
            # anything: the next writer cleans up.
            return

    def _encode(self, correlation_id: Optional[str], path: str, items: List[Any]) -> bytes:
        try:
            return items_to_json(items)
        except (TypeError, ValueError, RecursionError) as error:
            raise self._write_failed(correlation_id, path, f'cannot serialise the items: {error}', error) from error

    def _remember(self, seen: SeenFile) -> None:
        self._forget_seen_file()
        self._seen = seen

    def _forget_seen_file(self) -> None:
        if self._seen is not None:
            self._seen.close()
            self._seen = None

    def _real_path(self, correlation_id: Optional[str]) -> str:
        # A link at the configured path is the user's own choice: the file it leads to is the
        # one read and replaced, and the link stays.
        return os.path.realpath(self._require_path(correlation_id))

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
