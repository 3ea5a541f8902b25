"""The storage layer of the file persistences: a whole item list in one JSON file."""

import os
import threading
from typing import Any, ContextManager, Generic, List, Optional, TypeVar

from pip_services3_commons.config import ConfigParams, IConfigurable
from pip_services3_commons.errors import ConfigException, FileException

from ._atomic_file import SeenFile, read_whole, remove_stale_temporary_files, replacement_problem, write_atomically
from ._file_lock import FileLock, SaveCount
from ._item_texts import ItemTexts
from ._json_conversion import array_of, item_to_json, items_from_json
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
        self._resolved_path: Optional[str] = None
        self._item_type = item_type
        self._seen: Optional[SeenFile] = None
        self._save_count: Optional[SaveCount] = None
        self._seen_count: Optional[bytes] = None
        self._lock = FileLock()
        self._item_texts = ItemTexts()
        # One save at a time per persister, whichever threads call it.
        self._saving = threading.Lock()

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
        self._resolved_path = None
        path = self._real_path(correlation_id)
        self._remove_stale_temporary_files(path)
        # Read before the file: a save in between leaves a count that says the file changed.
        count = self._current_save_count(path)
        try:
            content, seen = read_whole(path)
        except OSError as error:
            raise self._read_failed(correlation_id, path, error) from error
        # Remembered even when the content is bad, so that the file is read again only once
        # someone changed it.
        self._remember(seen, count)
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
        with self._saving:
            parts = self._encode(correlation_id, path, items, self._item_texts)
            try:
                with self.locked():
                    seen = write_atomically(path, parts)
                    count = self._lock.count_save()
                    self._current_save_count(path)
                    self._remember(seen, count)
            except OSError as error:
                raise self._write_failed(correlation_id, path, str(error), error) from error

    def changed(self) -> bool:
        """Tells whether the file was written, replaced or removed by anyone since this persister
        last loaded or saved it (always true before the first load or save).

        Saves by this library are seen in the lock file's save count, at the cost of one memory
        read. Other programs do not count their changes: while the lock is held (a write is
        under way), and wherever there is no count, the file itself is checked as well.
        """
        seen = self._seen
        if seen is None:
            return True
        if self._seen_count is not None and self._save_count is not None:
            if self._save_count.read() != self._seen_count:
                return True
            if not self._lock.is_held():
                return False
        return seen.changed()

    def locked(self, correlation_id: Optional[str] = None) -> ContextManager[None]:
        """Holds the file's write lock, shared with every persister of the file in any process,
        for the ``with`` block. Re-entrant; :meth:`save` takes it by itself.

        :raises ConfigException: ``NO_PATH`` when no path is set.
        """
        return self._lock.held(self._lock_path(correlation_id))

    def hold(self, correlation_id: Optional[str] = None) -> None:
        """Takes the file's write lock, as :meth:`locked` does, until :meth:`let_go`; any thread may let go.

        :raises ConfigException: ``NO_PATH`` when no path is set.
        """
        self._lock.acquire(self._lock_path(correlation_id))

    def let_go(self) -> None:
        """Gives up a hold taken by :meth:`hold`."""
        self._lock.release()

    def holds(self, items: List[Any]) -> bool:
        """Tells whether the file holds exactly what saving ``items`` would write."""
        path = self._real_path(None)
        try:
            content, seen = read_whole(path)
        except OSError:
            return False
        seen.close()
        return (content or b'[]') == b''.join(self._encode(None, path, items, ItemTexts()))

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
        if not os.path.isdir(os.path.dirname(path)):
            return
        try:
            with self._lock.held_if_free(_lock_path_of(path)) as free:
                if free:
                    remove_stale_temporary_files(path)
        except OSError:
            # A reader in a folder it cannot write cannot create the lock file, nor remove
            # anything: the next writer cleans up.
            return

    def release(self) -> None:
        """Lets go of the file kept open to notice changes; the next operation loads it again."""
        self._forget_seen_file()

    def forget_seen_items(self) -> None:
        """Encodes every item at the next save: items it saved may have been changed in place.

        Between saves it reuses the text of each item that is the very object it saved last
        time; the persistences replace items and never change them in place, and call this
        when they handed their items to code that might.
        """
        with self._saving:
            self._item_texts.forget()

    def _lock_path(self, correlation_id: Optional[str]) -> str:
        return _lock_path_of(self._real_path(correlation_id))

    def _encode(self, correlation_id: Optional[str], path: str, items: List[Any],
                item_texts: ItemTexts) -> List[bytes]:
        try:
            return array_of(item_texts.texts_of(items, item_to_json))
        except (TypeError, ValueError, RecursionError) as error:
            item_texts.forget()
            raise self._write_failed(correlation_id, path, f'cannot serialise the items: {error}', error) from error

    def _current_save_count(self, path: str) -> Optional[bytes]:
        if self._save_count is None or not self._save_count.available:
            self._save_count = SaveCount(_lock_path_of(path))
        return self._save_count.read()

    def _remember(self, seen: SeenFile, count: Optional[bytes]) -> None:
        if self._seen is not None:
            self._seen.close()
        self._seen = seen
        self._seen_count = count

    def _forget_seen_file(self) -> None:
        self._resolved_path = None
        if self._seen is not None:
            self._seen.close()
            self._seen = None
        if self._save_count is not None:
            self._save_count.close()
            self._save_count = None
        self._seen_count = None

    def _real_path(self, correlation_id: Optional[str]) -> str:
        # A link at the configured path is the user's own choice: the file it leads to is the
        # one read and replaced, and the link stays. Resolved again by each load, as a link
        # changed meanwhile would be: saves use the file the last load read.
        if self._resolved_path is None:
            self._resolved_path = os.path.realpath(self._require_path(correlation_id))
        return self._resolved_path

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


def _lock_path_of(path: str) -> str:
    directory, name = os.path.split(path)
    return os.path.join(directory, f'.{name}.lock')
