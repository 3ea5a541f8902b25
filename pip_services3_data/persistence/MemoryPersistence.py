"""The in-memory persistence: a list of items, queries over it, and an optional loader and saver."""

import random
import threading
from contextlib import contextmanager
from typing import Any, Callable, Generic, Iterator, List, Optional, Tuple, TypeVar

from pip_services3_commons.config import ConfigParams, IConfigurable
from pip_services3_commons.data import DataPage, PagingParams
from pip_services3_commons.errors import BadRequestException, ConfigException, InvalidStateException
from pip_services3_commons.refer import IReferenceable, IReferences
from pip_services3_commons.run import ICleanable, IOpenable

from ..ILoader import ILoader
from ..ISaver import ISaver
from ._attribute_dict import attribute_dict_from
from ._cloning import clone, copy_item_shallow
from ._interface_stubs import ImplementationsFirst
from ._item_store import ItemStore
from ._listened_logger import ListenedCompositeLogger
from ._sorting import sort_items
from ._storing import copy_for_store

T = TypeVar('T')

Filter = Optional[Callable[[Any], bool]]


class MemoryPersistence(IConfigurable, IReferenceable, IOpenable, ICleanable, Generic[T],
                        metaclass=ImplementationsFirst):
    """Stores items of any type in memory, optionally loaded from and saved to another source.

    The base of every persistence in this package. Subclasses implement their queries by
    turning their own filter parameters into a filter function and calling the protected
    query methods here, or work on ``self._items`` directly (holding ``self._lock``, which is
    re-entrant, and calling :meth:`save` after a change).

    **Copies.** The persistence owns its items. Writes store a copy of what they are given
    (a plain ``dict`` is stored as a dict that also allows attribute access) and every read
    returns copies, so changing a returned item changes the store only when written back.

    **Saving.** Each write saves through the saver before it returns; when the save raises, the
    write is undone in memory and the error propagates. Writes that change nothing do not save.

    ### Configuration parameters ###
        - options:
            - max_page_size: the largest number of items a page holds (default: 100)

    ### References ###
        - ``*:logger:*:*:1.0``: (optional) loggers that receive trace messages

    >>> class NamesPersistence(MemoryPersistence):
    ...     def get_names(self, correlation_id, prefix):
    ...         return self.get_list_by_filter(correlation_id, lambda name: name.startswith(prefix))
    >>> persistence = NamesPersistence()
    >>> for name in ['Alice', 'Bob', 'Alfred']:
    ...     _ = persistence.create(None, name)
    >>> persistence.get_names(None, 'Al')
    ['Alice', 'Alfred']
    """

    def __init__(self, loader: Optional[ILoader] = None, saver: Optional[ISaver] = None) -> None:
        """Creates an empty, closed persistence.

        :param loader: (optional) loads the initial items on :meth:`open`.
        :param saver: (optional) receives the whole item list after every write.
        """
        self._lock = threading.RLock()
        self._logger = ListenedCompositeLogger()
        self._store = ItemStore(on_out_of_step=lambda message: self._logger.warn(None, message))
        self._loader = loader
        self._saver = saver
        self._opened = False
        self._max_page_size = 100
        self._load_error: Optional[Exception] = None

    @property
    def _items(self) -> List[T]:
        """The live list of stored items, for subclasses: a plain ``list``.

        Hold ``self._lock`` while using it and call :meth:`save` after changing it. Any change
        a list allows is fine; the id index is rebuilt at the next lookup by id. A list assigned
        here becomes the store itself.
        """
        return self._store.lend()

    @_items.setter
    def _items(self, items: List[T]) -> None:
        self._store.adopt(items if isinstance(items, list) else list(items))

    def configure(self, config: ConfigParams) -> None:
        """Reads ``options.max_page_size``.

        :raises ConfigException: ``INVALID_MAX_PAGE_SIZE`` when it is not a whole number of at least 1.
        """
        text = config.get_as_nullable_string('options.max_page_size')
        if text is None:
            return
        max_page_size = config.get_as_nullable_integer('options.max_page_size')
        if max_page_size is None or max_page_size < 1:
            raise ConfigException(
                None, 'INVALID_MAX_PAGE_SIZE',
                f'options.max_page_size must be a whole number of at least 1, not {text!r}',
            )
        self._max_page_size = max_page_size

    def set_references(self, references: IReferences) -> None:
        """Hands the references to the logger, which picks up every ``*:logger:*:*:1.0``."""
        self._logger.set_references(references)

    def is_open(self) -> bool:
        """Tells whether :meth:`open` has run and :meth:`close` has not since."""
        return self._opened

    def open(self, correlation_id: Optional[str]) -> None:
        """Loads the items through the loader and marks the persistence open.

        Does nothing when already open.

        :raises FileException: ``READ_FAILED`` from a file loader; see :meth:`load`.
        """
        with self._lock:
            if self._opened:
                return
            self.load(correlation_id)
            self._opened = True

    def close(self, correlation_id: Optional[str]) -> None:
        """Saves the items (when open) and marks the persistence closed.

        After a failed load nothing is saved, so a file that could not be read is never
        overwritten; a warning is logged instead.
        """
        with self._lock:
            if self._load_error is not None:
                self._logger.warn(correlation_id, 'Closed without saving: the last load failed')
            elif self._opened:
                self.save(correlation_id)
            self._opened = False

    def load(self, correlation_id: Optional[str]) -> None:
        """Replaces the stored items with those of the loader; does nothing without a loader.

        A load that fails for any reason but a missing path leaves the stored items as they
        were and puts the persistence in a failed-load state: every write, :meth:`save` and
        :meth:`clear` then raises ``InvalidStateException`` ``LOAD_FAILED`` until a load
        succeeds.

        :raises ConfigException: ``NO_PATH`` from a file loader without a path.
        :raises FileException: ``READ_FAILED`` from a file loader that cannot read its file.
        """
        if self._loader is None:
            return
        with self._lock:
            try:
                loaded = self._loader.load(correlation_id)
            except ConfigException as error:
                if error.code != 'NO_PATH':
                    self._load_error = error
                raise
            except Exception as error:
                self._load_error = error
                raise
            items: List[Any] = [attribute_dict_from(item) if type(item) is dict else item
                                for item in loaded or ()]
            self._store.reset(items)
            self._load_error = None
            self._trace(correlation_id, 'Loaded %s items', len(items))

    def save(self, correlation_id: Optional[str]) -> None:
        """Hands all stored items to the saver; does nothing without a saver.

        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        :raises FileException: ``WRITE_FAILED`` from a file saver that cannot write.
        """
        with self._lock:
            self._check_writable(correlation_id)
            self._save_items(correlation_id)
            self._store.saved()

    def clear(self, correlation_id: Optional[str]) -> None:
        """Removes every item and saves, even when there was nothing to remove.

        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        """
        with self._writing(correlation_id, save_always=True) as store:
            store.replace_all([])
        self._trace(correlation_id, 'Cleared items')

    def create(self, correlation_id: Optional[str], item: T) -> T:
        """Appends a copy of ``item`` and saves.

        :return: a new item equal to the stored one (a shallow copy of ``item``, sharing nothing
            with the store).
        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        """
        stored = copy_for_store(correlation_id, item, self._saver)
        with self._writing(correlation_id) as store:
            store.append(stored)
        self._trace(correlation_id, 'Created an item')
        return copy_item_shallow(item)

    def get_page_by_filter(self, correlation_id: Optional[str], filter: Filter,
                           paging: Optional[PagingParams], sort: Any = None,
                           select: Optional[Callable[[Any], Any]] = None) -> DataPage:
        """Gets one page of the items that match ``filter``: filtered, sorted, paged, projected.

        Subclasses usually override this with their own signature and call it with a filter
        function. ``filter`` and ``sort`` see the stored items and must not change them.

        :param filter: (optional) a function telling whether an item belongs; ``None`` takes all.
        :param paging: (optional) ``skip`` (below 0 counts as 0) and ``take`` (capped at
            ``options.max_page_size``; negative gives an empty page).
        :param sort: (optional) a key function, ascending, or :class:`SortParams`; both stable.
        :param select: (optional) a function applied to the copy of each returned item.
        :return: a page whose ``data`` is a list of copies and whose ``total`` is the number of
            matching items.
        :raises BadRequestException: ``INVALID_FILTER``, ``INVALID_SORT`` or ``SORT_FAILED``.
        """
        skip, take = self._page_bounds(paging)
        with self._lock:
            matching = self._filter_items(correlation_id, filter)
            ordered = sort_items(correlation_id, matching, sort)
            page_items = [clone(item) for item in ordered[skip:skip + take]]
        if select is not None:
            page_items = [select(item) for item in page_items]
        self._trace(correlation_id, 'Retrieved %s of %s items', len(page_items), len(matching))
        return DataPage(page_items, len(matching))

    def get_list_by_filter(self, correlation_id: Optional[str], filter: Filter,
                           sort: Any = None, select: Optional[Callable[[Any], Any]] = None) -> List[T]:
        """Gets copies of all items that match ``filter``, sorted and projected.

        Takes the same ``filter``, ``sort`` and ``select`` as :meth:`get_page_by_filter`.

        :raises BadRequestException: ``INVALID_FILTER``, ``INVALID_SORT`` or ``SORT_FAILED``.
        """
        with self._lock:
            matching = self._filter_items(correlation_id, filter)
            ordered = sort_items(correlation_id, matching, sort)
            result = [clone(item) for item in ordered]
        if select is not None:
            result = [select(item) for item in result]
        self._trace(correlation_id, 'Retrieved %s items', len(result))
        return result

    def get_count_by_filter(self, correlation_id: Optional[str], filter: Filter) -> int:
        """Counts the items that match ``filter`` (all items when it is ``None``).

        :raises BadRequestException: ``INVALID_FILTER`` when ``filter`` is not callable.
        """
        with self._lock:
            count = len(self._filter_items(correlation_id, filter))
        self._trace(correlation_id, 'Counted %s items', count)
        return count

    def get_one_random(self, correlation_id: Optional[str], filter: Filter = None) -> Optional[T]:
        """Gets a copy of an item chosen uniformly among those that match ``filter``.

        :return: the copy, or ``None`` when nothing matches.
        :raises BadRequestException: ``INVALID_FILTER`` when ``filter`` is not callable.
        """
        with self._lock:
            matching = self._filter_items(correlation_id, filter)
            item = clone(random.choice(matching)) if matching else None
        self._trace(correlation_id, 'Retrieved a random item of %s', len(matching))
        return item

    def delete_by_filter(self, correlation_id: Optional[str], filter: Filter) -> None:
        """Deletes the items that match ``filter``; ``None`` deletes every item.

        Saves only when something was deleted.

        :raises BadRequestException: ``INVALID_FILTER`` when ``filter`` is not callable.
        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        """
        with self._writing(correlation_id) as store:
            matching = self._filter_items(correlation_id, filter)
            if matching:
                matching_ids = {id(item) for item in matching}
                store.replace_all([item for item in store.items if id(item) not in matching_ids])
        self._trace(correlation_id, 'Deleted %s items', len(matching))

    @contextmanager
    def _writing(self, correlation_id: Optional[str], save_always: bool = False) -> Iterator[ItemStore]:
        """The one path every write takes: yields the store to change, then saves the change.

        Holds ``self._lock`` throughout and refuses to start after a failed load, before
        anything is looked up, so that even a write that would find nothing raises
        ``LOAD_FAILED``. The save happens when the store changed (or ``save_always``); when the
        change or the save raises, every change made in the block is undone and the error
        propagates, so memory always matches what the saver holds.
        """
        with self._lock:
            self._check_writable(correlation_id)
            store = self._store
            store.begin()
            try:
                yield store
                if store.changed() or save_always:
                    self._save_items(correlation_id)
            except BaseException:
                store.roll_back()
                raise
            store.commit()

    def _save_items(self, correlation_id: Optional[str]) -> None:
        """Hands a copy of the item list to the saver, if there is one."""
        if self._saver is not None:
            self._saver.save(correlation_id, list(self._store.items))
            self._trace(correlation_id, 'Saved %s items', len(self._store.items))

    def _trace(self, correlation_id: Optional[str], message: str, *values: Any) -> None:
        """Traces ``message % values``, formatted only when a logger will receive it."""
        # A subclass may have replaced _logger with a logger of its own, which always gets the message.
        if getattr(self._logger, 'has_listeners', True):
            self._logger.trace(correlation_id, message % values if values else message)

    def _check_writable(self, correlation_id: Optional[str]) -> None:
        if self._load_error is not None:
            raise InvalidStateException(
                correlation_id, 'LOAD_FAILED',
                f'Refusing to write: the last load failed ({self._load_error}); '
                'fix the data source and load again',
            ).with_cause(self._load_error)

    def _filter_items(self, correlation_id: Optional[str], filter: Filter) -> List[Any]:
        """Returns the live stored items that match ``filter``, in stored order."""
        if filter is None:
            return list(self._store.items)
        if not callable(filter):
            raise BadRequestException(
                correlation_id, 'INVALID_FILTER',
                f'Filter must be a function of an item or None, not {type(filter).__name__}',
            )
        return [item for item in self._store.items if filter(item)]

    def _page_bounds(self, paging: Optional[PagingParams]) -> Tuple[int, int]:
        if paging is None:
            return 0, self._max_page_size
        return paging.get_skip(0), paging.get_take(self._max_page_size)
