"""The in-memory persistence of items with ids: CRUD by id on top of :class:`MemoryPersistence`."""

import reprlib
from typing import Any, Dict, Generic, Iterable, List, Mapping, Optional, Tuple, TypeVar, Union

from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import AnyValueMap, IdGenerator
from pip_services3_commons.errors import BadRequestException, ConflictException

from ..IGetter import IGetter
from ..ILoader import ILoader
from ..IPartialUpdater import IPartialUpdater
from ..ISaver import ISaver
from ..ISetter import ISetter
from ..IWriter import IWriter
from ._cloning import copy_item_shallow
from ._ids import EXACT_ID_TYPES, is_lookup_id, lookup_ids, require_valid_id
from ._records import record_of
from ._item_fields import get_id, is_missing_id, set_field
from ._storing import copy_field_for_store, copy_for_store
from .MemoryPersistence import MemoryPersistence

T = TypeVar('T')
K = TypeVar('K')

_STR_ONLY = frozenset({str})


# Registered rather than inherited: a fixed order of interface bases here would clash with a
# service interface that lists them in another order (the MRO error 3.2.3 raises).
@IGetter.register
@IWriter.register
@ISetter.register
@IPartialUpdater.register
class IdentifiableMemoryPersistence(MemoryPersistence[T], Generic[T, K]):
    """Stores items that have an ``id`` in memory and implements CRUD operations by id.

    Items are objects with an ``id`` attribute or mappings with an ``'id'`` key. Lookups,
    updates and deletes by id use an index, not a scan, and stay correct when a subclass
    changes ``self._items`` itself. As in every persistence here, writes store copies and
    reads return copies (see :class:`MemoryPersistence`).

    **Ids.** An id is a ``str`` or an ``int`` (not a ``bool``); ``1`` and ``'1'`` are two ids.
    Any other id given to a write or a lookup raises ``BadRequestException`` ``INVALID_ID``
    and changes nothing; a lookup by ``None`` finds nothing. ``create`` and ``set`` give an
    item whose id is missing, ``None`` or ``''`` a new 32-character id from
    ``IdGenerator.next_long()``, on the stored copy only. ``create`` with an id that is already
    stored appends a second item with it, as 3.2.3 does, and operations by id then act on the
    first one; with ``options.unique_ids`` it raises ``ConflictException`` instead.

    ### Configuration parameters ###
        - options:
            - max_page_size: the largest number of items a page holds (default: 100)
            - unique_ids: reject ``create`` with an id already stored (default: false)

    ### References ###
        - ``*:logger:*:*:1.0``: (optional) loggers that receive trace messages

    >>> from pip_services3_commons.data import FilterParams, PagingParams
    >>> class PeoplePersistence(IdentifiableMemoryPersistence):
    ...     def get_page_by_filter(self, correlation_id, filter, paging):
    ...         name = (filter or FilterParams()).get_as_nullable_string('name')
    ...         return super().get_page_by_filter(
    ...             correlation_id, lambda person: name is None or person.name == name, paging)
    >>> people = PeoplePersistence()
    >>> alice = people.create('123', {'id': '1', 'name': 'Alice'})
    >>> bob = people.create('123', {'name': 'Bob'})
    >>> len(bob.id)
    32
    >>> page = people.get_page_by_filter('123', FilterParams.from_tuples('name', 'Alice'), PagingParams())
    >>> page.total, page.data[0].name
    (1, 'Alice')
    >>> people.update_partially('123', '1', {'name': 'Alicia'})['name']
    'Alicia'
    """

    def __init__(self, loader: Optional[ILoader] = None, saver: Optional[ISaver] = None) -> None:
        """Creates an empty, closed persistence.

        :param loader: (optional) loads the initial items on :meth:`open`.
        :param saver: (optional) receives the whole item list after every write.
        """
        super().__init__(loader, saver)
        self._unique_ids = False

    def configure(self, config: ConfigParams) -> None:
        """Reads ``options.max_page_size`` and ``options.unique_ids``.

        :raises ConfigException: ``INVALID_MAX_PAGE_SIZE``, see :meth:`MemoryPersistence.configure`.
        """
        super().configure(config)
        self._unique_ids = config.get_as_boolean_with_default('options.unique_ids', self._unique_ids)

    def get_one_by_id(self, correlation_id: Optional[str], id: K) -> Optional[T]:
        """Gets a copy of the item with ``id``, or ``None`` when there is none (or ``id`` is ``None``).

        :raises BadRequestException: ``INVALID_ID`` when ``id`` is neither a str nor an int.
        """
        # The exact types first: this is the hottest lookup, and a call costs a twentieth of it.
        is_id = type(id) in EXACT_ID_TYPES or is_lookup_id(correlation_id, id)
        with self._lock:
            self._before_reading(correlation_id)
            stored = self._store.index.item_with(id) if is_id else None
            item = None if stored is None else self._copy_out(stored)
        found = 'Retrieved' if item is not None else 'Found no'
        self._trace(correlation_id, '%s item with id %s', found, id)
        return item

    def get_list_by_ids(self, correlation_id: Optional[str], ids: List[K]) -> List[T]:
        """Gets copies of the items whose ids are in ``ids``, in stored order; unknown ids are skipped.

        :param ids: a list, tuple or set of ids; ``None`` elements are skipped, and ``None``
            itself counts as no ids.
        :raises BadRequestException: ``INVALID_IDS`` when ``ids`` is not a list, tuple or set,
            ``INVALID_ID`` when one of them is neither a str, an int nor ``None``.
        """
        wanted_ids = lookup_ids(correlation_id, ids)
        with self._lock:
            self._before_reading(correlation_id)
            positions = sorted(self._positions_by_id(wanted_ids).values(), reverse=self._strict)
            items = [self._copy_out(self._store.items[position]) for position in positions]
        self._trace(correlation_id, 'Retrieved %s items by %s ids', len(items), len(wanted_ids))
        return items

    def create(self, correlation_id: Optional[str], item: T) -> T:
        """Stores a copy of ``item``, with a generated id when it has none, and saves.

        :return: a new item equal to the stored one: a shallow copy of ``item`` carrying the id.
            It shares nothing with the store.
        :raises ConflictException: ``DUPLICATE_ID`` when ``options.unique_ids`` is set and the
            id is already stored; nothing is changed then.
        :raises BadRequestException: ``NO_ITEM`` for ``None``, ``INVALID_ID`` when the id is
            neither a str nor an int, ``ID_NOT_SETTABLE`` when an id cannot be set on the copy,
            ``CYCLIC_ITEM`` or ``ITEM_NOT_COPYABLE`` when the item cannot be copied.
        :raises FileException: ``WRITE_FAILED`` from a file persistence when the file cannot
            hold a value of the item exactly (see the file format), or cannot be written.
        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        """
        stored, returned = self._copies_with_id(correlation_id, item)
        item_id = get_id(stored)
        with self._writing(correlation_id) as store:
            if store.index.item_with(item_id) is not None:
                if self._unique_ids or self._strict:
                    raise ConflictException(
                        correlation_id, 'DUPLICATE_ID', f'An item with id {item_id} already exists'
                    ).with_details('id', item_id)
                self._trace(correlation_id, 'Storing a second item with id %s', item_id)
            store.append(stored)
        self._trace(correlation_id, 'Created item with id %s', item_id)
        return returned

    def set(self, correlation_id: Optional[str], item: T) -> T:
        """Replaces the item with the same id by a copy of ``item``, or appends the copy, and saves.

        An item without id gets a generated one, as in :meth:`create`.

        :return: a new item equal to the stored one, as in :meth:`create`.
        :raises BadRequestException: as :meth:`create` does.
        :raises FileException: ``WRITE_FAILED``, as :meth:`create` does.
        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        """
        stored, returned = self._copies_with_id(correlation_id, item)
        item_id = get_id(stored)
        with self._writing(correlation_id) as store:
            position = store.index.position_of(item_id)
            if position is None:
                store.append(stored)
            else:
                store.replace(position, stored)
        self._trace(correlation_id, 'Set item with id %s', item_id)
        return returned

    def update(self, correlation_id: Optional[str], item: T) -> Optional[T]:
        """Replaces the item that has the id of ``item`` by a copy of ``item`` and saves.

        :return: a new item equal to the stored one (a shallow copy of ``item``, sharing nothing
            with the store), or ``None`` (and nothing saved) when the id is unknown or ``None``.
        :raises BadRequestException: ``NO_ITEM`` for ``None``, ``INVALID_ID``, ``CYCLIC_ITEM``
            or ``ITEM_NOT_COPYABLE`` as in :meth:`create`.
        :raises FileException: ``WRITE_FAILED``, as :meth:`create` does.
        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        """
        self._require_item(correlation_id, item)
        item_id = get_id(item)
        if not is_lookup_id(correlation_id, item_id):
            self._trace(correlation_id, 'Found no id on the item to update')
            return None
        stored = copy_for_store(correlation_id, item, self._saver)
        with self._writing(correlation_id) as store:
            position = store.index.position_of(item_id)
            if position is not None:
                store.replace(position, stored)
        if position is None:
            self._trace(correlation_id, 'Found no item with id %s to update', item_id)
            return None
        self._trace(correlation_id, 'Updated item with id %s', item_id)
        return record_of(item) if self._strict else copy_item_shallow(item)

    def update_partially(self, correlation_id: Optional[str], id: K,
                         data: Union[AnyValueMap, Mapping[str, Any], None]) -> Optional[T]:
        """Sets the fields in ``data`` on the item with ``id`` (attributes or keys) and saves.

        An ``id`` entry in ``data`` is ignored: the id of an item does not change.

        :param data: the fields to set: an :class:`AnyValueMap` or another mapping whose keys
            are str; ``None`` sets no field.
        :return: a copy of the updated item, or ``None`` (and nothing saved) when the id is
            unknown or ``None``.
        :raises BadRequestException: ``INVALID_ID`` as in :meth:`get_one_by_id`,
            ``INVALID_DATA`` when ``data`` is not such a mapping, or names a dunder attribute
            of an object item, ``FIELD_NOT_SETTABLE`` when the item refuses a field,
            ``CYCLIC_ITEM`` or ``ITEM_NOT_COPYABLE`` when a value cannot be copied.
        :raises FileException: ``WRITE_FAILED`` from a file persistence when the file cannot
            hold a value exactly, or cannot be written.
        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        """
        is_id = is_lookup_id(correlation_id, id)
        fields = self._fields_to_set(correlation_id, data)
        if not is_id:
            self._trace(correlation_id, 'Found no id of an item to update')
            return None
        with self._writing(correlation_id) as store:
            position = store.index.position_of(id)
            returned: Optional[T] = None
            if position is not None:
                # The new version shares its untouched nested values with the old one: stored
                # items are never changed in place, so neither version can see the other change.
                updated: T = copy_item_shallow(store.items[position])
                is_object = not isinstance(updated, dict)
                for name, value in fields.items():
                    if is_object and name.startswith('__') and name.endswith('__'):
                        raise BadRequestException(
                            correlation_id, 'INVALID_DATA',
                            f'{name} is not a field of a {type(updated).__name__}: '
                            'dunder attributes cannot be updated',
                        ).with_details('field', name)
                    self._set_field(correlation_id, updated, name,
                                    copy_field_for_store(correlation_id, updated, name, value, self._saver))
                store.replace(position, updated)
                returned = self._copy_out(updated)
        if returned is None:
            self._trace(correlation_id, 'Found no item with id %s to update', id)
            return None
        self._trace(correlation_id, 'Partially updated item with id %s', id)
        return returned

    def delete_by_id(self, correlation_id: Optional[str], id: K) -> Optional[T]:
        """Deletes the item with ``id`` and saves.

        :return: the removed item itself (the store no longer holds it), or ``None`` (and
            nothing saved) when the id is unknown or ``None``.
        :raises BadRequestException: ``INVALID_ID`` when ``id`` is neither a str nor an int.
        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        """
        is_id = is_lookup_id(correlation_id, id)
        with self._writing(correlation_id) as store:
            position = store.index.position_of(id) if is_id else None
            removed = None if position is None else store.remove(position)
        found = 'Deleted' if removed is not None else 'Found no'
        self._trace(correlation_id, '%s item with id %s', found, id)
        return record_of(removed) if self._strict and removed is not None else removed

    def delete_by_ids(self, correlation_id: Optional[str], ids: List[K]) -> None:
        """Deletes the items whose ids are in ``ids`` and saves once; unknown ids are skipped.

        :param ids: as in :meth:`get_list_by_ids`.
        :raises BadRequestException: ``INVALID_IDS`` or ``INVALID_ID`` as in
            :meth:`get_list_by_ids`; nothing is deleted then.
        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        """
        wanted_ids = lookup_ids(correlation_id, ids)
        with self._writing(correlation_id) as store:
            positions_by_id = self._positions_by_id(wanted_ids)
            # From the last position down, so that each removal leaves the others in place.
            for position in sorted(positions_by_id.values(), reverse=True):
                store.remove(position)
        self._trace(correlation_id, 'Deleted %s items by %s ids', len(positions_by_id), len(wanted_ids))

    def _copies_with_id(self, correlation_id: Optional[str], item: T) -> Tuple[T, T]:
        """Returns the deep copy of ``item`` to store and the shallow one to return, both given
        a new id when ``item`` has none."""
        self._require_item(correlation_id, item)
        item_id = get_id(item)
        needs_id = is_missing_id(item_id)
        if not needs_id:
            require_valid_id(correlation_id, item_id)
        stored = copy_for_store(correlation_id, item, self._saver)
        returned = record_of(item) if self._strict else copy_item_shallow(item)
        if needs_id:
            new_id = IdGenerator.next_long()
            try:
                set_field(stored, 'id', new_id)
                set_field(returned, 'id', new_id)
            except (AttributeError, TypeError) as error:
                raise BadRequestException(
                    correlation_id, 'ID_NOT_SETTABLE',
                    f'The item has no id and one cannot be set on a {type(item).__name__}: {error}',
                ).with_cause(error) from error
        return stored, returned

    @staticmethod
    def _require_item(correlation_id: Optional[str], item: Any) -> None:
        if item is None:
            raise BadRequestException(correlation_id, 'NO_ITEM', 'The item to store is None')

    @staticmethod
    def _fields_to_set(correlation_id: Optional[str], data: Any) -> Mapping[str, Any]:
        """Returns the fields of ``data`` that :meth:`update_partially` sets: all but ``id``."""
        if data is None:
            return {}
        if (type(data) is not dict and not isinstance(data, Mapping)
                or not _STR_ONLY.issuperset(map(type, data)) and not all(isinstance(name, str) for name in data)):
            raise BadRequestException(
                correlation_id, 'INVALID_DATA',
                'The fields to update must be an AnyValueMap or a mapping with str keys, '
                f'not {type(data).__name__} ({reprlib.repr(data)})',
            ).with_details('data_type', type(data).__name__)
        return {name: value for name, value in data.items() if name != 'id'}

    @staticmethod
    def _set_field(correlation_id: Optional[str], item: Any, name: str, value: Any) -> None:
        """Sets ``value`` as the field ``name`` of ``item``, a new version of a stored item."""
        try:
            set_field(item, name, value)
        except (AttributeError, TypeError) as error:
            raise BadRequestException(
                correlation_id, 'FIELD_NOT_SETTABLE',
                f'The field {name} cannot be set on a {type(item).__name__}: {error}',
            ).with_details('field', name).with_cause(error) from error

    def _positions_by_id(self, ids: Iterable[K]) -> Dict[K, int]:
        index = self._store.index
        positions: Dict[K, int] = {}
        for item_id in ids:
            position = index.position_of(item_id)
            if position is not None:
                positions[item_id] = position
        return positions
