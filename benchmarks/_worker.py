# -*- coding: utf-8 -*-
"""
Benchmark worker: measures one library in its own process and prints JSON.

``run.py`` starts this script once per (library, size) for the operation timings and once per
(library, item shape) for the memory measurement, with the interpreter that can import that
library: the current interpreter for this checkout and for the floor, the 3.2.3 virtualenv's
interpreter for pip-services3-data 3.2.3. Both releases share the import name
``pip_services3_data``, so they can never be measured in one process.

The job comes as JSON in ``argv[1]``; the answer is one line on stdout that starts with
``RESULT_MARKER``, so that anything a library prints cannot be mistaken for results. Progress goes
to stderr. Only the standard library and the library under test are imported.
"""

import copy
import cProfile
import gc
import io
import json
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import traceback
import tracemalloc
from typing import Any, Callable, Dict, List, Optional, Tuple

RESULT_MARKER = '@@BENCHMARK-RESULT@@ '

#: How many distinct ``key`` values the items share: each value marks about 1% of the items.
KEY_COUNT = 100
#: Page size asked of ``get_page_by_filter`` (the libraries' default maximum as well).
PAGE_TAKE = 100

OPERATIONS = ['create', 'get_one_by_id', 'get_page_by_filter', 'get_list_by_filter',
              'update', 'update_partially', 'delete_by_id']
#: The file persistence's measures that take time: a new persistence opening a file, one write.
FILE_OPERATIONS = ['open', 'write']

WORDS = ['order', 'invoice', 'shipment', 'customer', 'warehouse', 'parcel', 'refund', 'ticket',
         'report', 'payment', 'delivery', 'account', 'contract', 'sensor', 'device', 'reading']
TAGS = ['red', 'green', 'blue', 'urgent', 'archived', 'draft', 'vip', 'eu', 'us', 'apac',
        'retail', 'wholesale']


class Item:
    """The "object" item shape: a plain class with attributes, as services usually define."""

    def __init__(self, id: str, key: str, content: str, details: dict):
        self.id = id
        self.key = key
        self.content = content
        self.details = details


# ---------------------------------------------------------------------------------------------
# Item generation: every library gets the very same items for a given size and seed.

def make_fields(rng: random.Random, number: int, item_id: Optional[str] = None) -> dict:
    owner_number = rng.randrange(10000)
    return {
        'id': item_id if item_id is not None else '%032x' % rng.getrandbits(128),
        'key': 'key-%02d' % rng.randrange(KEY_COUNT),
        'content': '%s %s number %d' % (rng.choice(WORDS).capitalize(), rng.choice(WORDS), number),
        'details': {
            'tags': rng.sample(TAGS, 3),
            'rank': rng.randrange(1000),
            'owner': {'name': 'User %d' % owner_number,
                      'email': 'user%d@example.com' % owner_number},
        },
    }


def shape_item(fields: dict, shape: str) -> Any:
    return Item(**fields) if shape == 'objects' else fields


def item_id_of(item: Any) -> str:
    return item['id'] if isinstance(item, dict) else item.id


def edited_item(rng: random.Random, item_id: str, key: str, shape: str) -> Any:
    """A new version of a stored item: same id and key (so filters match as before)."""
    fields = make_fields(rng, rng.randrange(10 ** 6), item_id)
    fields['key'] = key
    return shape_item(fields, shape)


# ---------------------------------------------------------------------------------------------
# Floor: the least any in-memory store keyed by id must do.

class FloorStore:
    def __init__(self):
        self.items_by_id: Dict[str, Any] = {}
        # For the order-preserving delete floor: the ids in creation order and each id's index.
        # Ids, not items: a second reference to every item would spare the update floor the
        # freeing of the item it replaces, which any store keyed by id pays.
        self.ordered_ids: List[str] = []
        self.index_by_id: Dict[str, int] = {}
        self.ordered_snapshot: List[str] = []


def write_atomically(path: str, text: str):
    """Temp file in the same directory, flush, fsync, os.replace, then fsync the directory."""
    data = text.encode('utf-8')
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temp_path = tempfile.mkstemp(dir=directory, prefix='.floor-', suffix='.tmp')
    try:
        with os.fdopen(descriptor, 'wb') as temp_file:
            temp_file.write(data)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        os.replace(temp_path, path)
    except BaseException:
        os.unlink(temp_path)
        raise
    directory_descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_descriptor)
    finally:
        os.close(directory_descriptor)


def plain_dict_of(item: Any) -> dict:
    return item if isinstance(item, dict) else vars(item)


class FloorAdapter:
    """A dict keyed by id; filters are list comprehensions calling the same filter callable."""

    name = 'floor'

    def __init__(self, shape: str):
        self.shape = shape

    def key_filter(self, key: str) -> Callable[[Any], bool]:
        if self.shape == 'dicts':
            return lambda item: item['key'] == key
        return lambda item: item.key == key

    def new_store(self) -> FloorStore:
        return FloorStore()

    def fill(self, store: FloorStore, items: List[Any]):
        for item in items:
            store.items_by_id[item_id_of(item)] = item
        store.ordered_ids = list(store.items_by_id)
        store.index_by_id = {item_id: index for index, item_id in enumerate(store.ordered_ids)}
        store.ordered_snapshot = list(store.ordered_ids)

    def create(self, store: FloorStore, item: Any) -> Any:
        store.items_by_id[item_id_of(item)] = item
        return item

    def remove_created(self, store: FloorStore, item_ids: List[str]):
        for item_id in item_ids:
            del store.items_by_id[item_id]

    def get_one_by_id(self, store: FloorStore, item_id: str) -> Any:
        return store.items_by_id.get(item_id)

    def get_page_by_filter(self, store: FloorStore, matches: Callable) -> Tuple[list, int]:
        matching = [item for item in store.items_by_id.values() if matches(item)]
        return matching[:PAGE_TAKE], len(matching)

    def get_list_by_filter(self, store: FloorStore, matches: Callable) -> list:
        return [item for item in store.items_by_id.values() if matches(item)]

    def update(self, store: FloorStore, item: Any) -> Any:
        item_id = item_id_of(item)
        if item_id not in store.items_by_id:
            return None
        store.items_by_id[item_id] = item
        return item

    def update_partially(self, store: FloorStore, item_id: str, changes: dict) -> Any:
        item = store.items_by_id.get(item_id)
        if item is None:
            return None
        if isinstance(item, dict):
            item.update(changes)
        else:
            for name, value in changes.items():
                setattr(item, name, value)
        return item

    def delete_by_id(self, store: FloorStore, item_id: str) -> Any:
        # Order-preserving floor: one dict lookup of the index, then `del` at that index of a
        # list of the same size. The index is not kept in step (that is the library's job and
        # cost); the benchmark only deletes at indexes that stay valid during a batch.
        index = store.index_by_id[item_id]
        removed = store.ordered_ids[index]
        del store.ordered_ids[index]
        return removed

    def restore_deleted(self, store: FloorStore, removed_items: List[Any]):
        store.ordered_ids[:] = store.ordered_snapshot

    # File floor: plain dicts through json.dumps, written atomically.

    def open_file(self, path: str) -> FloorStore:
        store = FloorStore()
        with open(path, 'rb') as file:
            loaded = json.loads(file.read())
        if self.shape == 'dicts':
            store.items_by_id = {mapping['id']: mapping for mapping in loaded}
        else:
            for mapping in loaded:
                item = Item.__new__(Item)
                item.__dict__.update(mapping)
                store.items_by_id[item.id] = item
        return store

    def write_file(self, store: FloorStore, path: str, item: Any):
        self.update(store, item)
        write_atomically(path, json.dumps([plain_dict_of(stored) for stored in store.items_by_id.values()]))


class CopyingFloorAdapter(FloorAdapter):
    """The floor plus the copies the contract asks for, made with this library's own copier:
    writes store a copy, reads return copies. The least any store keyed by id does when it owns
    its items, so this library's time over it is what the lock, the index, the ordered list and
    the returned write copy cost. Runs only beside this library, whose copier it imports."""

    name = 'copying-floor'

    def __init__(self, shape: str):
        super().__init__(shape)
        from pip_services3_data.persistence._cloning import clone
        self._clone = clone

    def create(self, store: FloorStore, item: Any) -> Any:
        store.items_by_id[item_id_of(item)] = self._clone(item)
        return item

    def get_one_by_id(self, store: FloorStore, item_id: str) -> Any:
        item = store.items_by_id.get(item_id)
        return None if item is None else self._clone(item)

    def get_page_by_filter(self, store: FloorStore, matches: Callable) -> Tuple[list, int]:
        matching = [item for item in store.items_by_id.values() if matches(item)]
        return [self._clone(item) for item in matching[:PAGE_TAKE]], len(matching)

    def get_list_by_filter(self, store: FloorStore, matches: Callable) -> list:
        return [self._clone(item) for item in store.items_by_id.values() if matches(item)]

    def update(self, store: FloorStore, item: Any) -> Any:
        item_id = item_id_of(item)
        if item_id not in store.items_by_id:
            return None
        store.items_by_id[item_id] = self._clone(item)
        return item

    def update_partially(self, store: FloorStore, item_id: str, changes: dict) -> Any:
        updated = super().update_partially(store, item_id, changes)
        return None if updated is None else self._clone(updated)


# ---------------------------------------------------------------------------------------------
# Libraries: this checkout and 3.2.3, through the same public calls.

class LibraryAdapter:
    """pip_services3_data's IdentifiableMemoryPersistence / IdentifiableFilePersistence."""

    def __init__(self, name: str, shape: str):
        from pip_services3_commons.data import PagingParams
        from pip_services3_data.persistence import (IdentifiableFilePersistence,
                                                    IdentifiableMemoryPersistence,
                                                    JsonFilePersister)
        self.name = name
        self.shape = shape
        self._paging = PagingParams(0, PAGE_TAKE)
        self._memory_class = IdentifiableMemoryPersistence
        self._file_class = IdentifiableFilePersistence
        self._persister_class = JsonFilePersister
        # 3.2.3 turns every dict it is given into a class with class attributes, so only
        # attribute access works on its stored items; this library keeps dicts (with attribute
        # access too) and a dict user writes item['key'].
        self._filter_by_attribute = shape == 'objects' or name == 'old'

    def key_filter(self, key: str) -> Callable[[Any], bool]:
        if self._filter_by_attribute:
            return lambda item: item.key == key
        return lambda item: item['key'] == key

    def new_store(self):
        return self._memory_class()

    def fill(self, store, items: List[Any]):
        for item in items:
            store.create(None, item)

    def create(self, store, item: Any) -> Any:
        return store.create(None, item)

    def remove_created(self, store, item_ids: List[str]):
        if self.name == 'old':
            # 3.2.3 has no id index; its delete_by_id scans from the front, which would make the
            # untimed clean-up cost minutes at 100,000 items. The created items are the last ones.
            del store._items[-len(item_ids):]
        else:
            for item_id in item_ids:
                store.delete_by_id(None, item_id)

    def get_one_by_id(self, store, item_id: str) -> Any:
        return store.get_one_by_id(None, item_id)

    def get_page_by_filter(self, store, matches: Callable) -> Any:
        return store.get_page_by_filter(None, matches, self._paging)

    def get_list_by_filter(self, store, matches: Callable) -> list:
        return store.get_list_by_filter(None, matches)

    def update(self, store, item: Any) -> Any:
        return store.update(None, item)

    def update_partially(self, store, item_id: str, changes: dict) -> Any:
        return store.update_partially(None, item_id, changes)

    def delete_by_id(self, store, item_id: str) -> Any:
        return store.delete_by_id(None, item_id)

    def restore_deleted(self, store, removed_items: List[Any]):
        for removed in removed_items:
            store.create(None, removed)

    def open_file(self, path: str):
        if self.name == 'ours' and self.shape == 'objects':
            persister = self._persister_class(path, Item)
        else:
            persister = self._persister_class(path)
        persistence = self._file_class(persister)
        persistence.open(None)
        return persistence

    def prepare_file_store(self, persistence):
        """3.2.3 loads plain dicts, on which its by-id operations fail (``item.id``); give it
        back the shape its own ``create`` makes before timing writes."""
        if self.name != 'old':
            return
        if self.shape == 'objects':
            converted = []
            for mapping in persistence._items:
                item = Item.__new__(Item)
                item.__dict__.update(mapping)
                converted.append(item)
        else:
            converted = [type('object', (object,), mapping) for mapping in persistence._items]
        persistence._items = converted

    def write_file(self, persistence, path: str, item: Any):
        if persistence.update(None, item) is None:
            raise RuntimeError('update of a stored id returned None')


def make_adapter(library: str, shape: str):
    if library == 'floor':
        return FloorAdapter(shape)
    if library == 'copying-floor':
        return CopyingFloorAdapter(shape)
    return LibraryAdapter(library, shape)


# ---------------------------------------------------------------------------------------------
# Timing

class Settings:
    def __init__(self, job: dict):
        self.repeats: int = job['repeats']
        self.min_repeats: int = job['min_repeats']
        self.batch_seconds: float = job['batch_seconds']
        self.budget_seconds: float = job['budget_seconds']
        self.max_mutating_batch: int = job['max_mutating_batch']
        self.file_min_repeats: int = job.get('file_min_repeats', self.min_repeats)
        self.file_repeats: int = job.get('file_repeats', self.repeats)

    def for_files(self) -> 'Settings':
        """File operations run one call per batch, and fsync makes single calls noisy, so they
        get more batches: as many as ``file_repeats`` while the time budget lasts."""
        file_settings = copy.copy(self)
        file_settings.min_repeats = max(self.min_repeats, self.file_min_repeats)
        file_settings.repeats = max(self.file_repeats, file_settings.min_repeats)
        return file_settings


def choose_batch(single_seconds: float, settings: Settings, limit: int) -> int:
    if single_seconds <= 0:
        return limit
    return max(1, min(limit, int(settings.batch_seconds / single_seconds)))


Contender = Tuple[Callable[[int], Any], Callable[[Any], None], Callable[[Any], None], int]
"""How to time one operation of one library: (prepare(batch) -> arguments, timed(arguments),
clean_up(arguments), the largest batch). Only ``timed`` is inside the clock."""


def run_interleaved(contenders: List[Contender], settings: Settings) -> List[dict]:
    """Medians of per-operation times over batches, the contenders' batches taking turns.

    Alternating batches of the floor and the library in one process exposes both to the same
    moments of a noisy machine, so their ratio holds up better than their absolute times. The
    first single-operation call of each warms up and sets its batch size (about
    ``batch_seconds`` long). GC stays enabled, as users run it; a full collection runs before
    each batch so that garbage from earlier set-up is not charged to the batch.
    """
    perf_counter = time.perf_counter
    batches = []
    for prepare, timed, clean_up, limit in contenders:
        warm_up = prepare(1)
        gc.collect()
        started = perf_counter()
        timed(warm_up)
        single_seconds = perf_counter() - started
        clean_up(warm_up)
        batches.append(choose_batch(single_seconds, settings, limit))

    per_operation: List[List[float]] = [[] for _ in contenders]
    budget_start = perf_counter()
    for round_number in range(settings.repeats):
        order = list(range(len(contenders)))
        if round_number % 2:
            order.reverse()
        for index in order:
            prepare, timed, clean_up, _limit = contenders[index]
            arguments = prepare(batches[index])
            gc.collect()
            started = perf_counter()
            timed(arguments)
            elapsed = perf_counter() - started
            clean_up(arguments)
            per_operation[index].append(elapsed / batches[index])
        if (round_number + 1 >= settings.min_repeats
                and perf_counter() - budget_start > settings.budget_seconds * len(contenders)):
            break
    return [{
        'us': statistics.median(samples) * 1e6,
        'min_us': min(samples) * 1e6,
        'max_us': max(samples) * 1e6,
        'samples': len(samples),
        'batch': batch,
    } for samples, batch in zip(per_operation, batches)]


def nothing(_arguments: Any):
    pass


class Bench:
    """One store of ``size`` items of one shape, and the timing of each operation on it."""

    def __init__(self, adapter, shape: str, size: int, settings: Settings, seed: int):
        self.adapter = adapter
        self.shape = shape
        self.size = size
        self.settings = settings
        self.rng = random.Random(seed + 1)
        item_rng = random.Random(seed)
        fields_list = [make_fields(item_rng, number) for number in range(size)]
        self.ids = [fields['id'] for fields in fields_list]
        self.keys = [fields['key'] for fields in fields_list]
        self.store = adapter.new_store()
        adapter.fill(self.store, [shape_item(fields, shape) for fields in fields_list])
        self.next_number = size

    # Each operation: (prepare(batch) -> arguments, timed(arguments), clean_up(arguments), limit)

    def random_positions(self, count: int) -> List[int]:
        return [self.rng.randrange(self.size) for _ in range(count)]

    def new_items(self, count: int) -> List[Any]:
        created = []
        for _ in range(count):
            created.append(shape_item(make_fields(self.rng, self.next_number), self.shape))
            self.next_number += 1
        return created

    def operation(self, name: str):
        adapter, store = self.adapter, self.store
        mutating_limit = min(self.settings.max_mutating_batch, max(1, self.size // 4))

        if name == 'create':
            def timed(items):
                for item in items:
                    adapter.create(store, item)
            return (self.new_items, timed,
                    lambda items: adapter.remove_created(store, [item_id_of(item) for item in items]),
                    mutating_limit)

        if name == 'get_one_by_id':
            def timed(item_ids):
                for item_id in item_ids:
                    if adapter.get_one_by_id(store, item_id) is None:
                        raise RuntimeError('get_one_by_id returned None for a stored id')
            return (lambda count: [self.ids[p] for p in self.random_positions(count)], timed, nothing,
                    100000)

        if name in ('get_page_by_filter', 'get_list_by_filter'):
            query = getattr(adapter, name)

            def timed(filters):
                for matches in filters:
                    query(store, matches)
            return (lambda count: [adapter.key_filter('key-%02d' % self.rng.randrange(KEY_COUNT))
                                   for _ in range(count)],
                    timed, nothing, 100000)

        if name == 'update':
            def prepare(count):
                positions = self.random_positions(count)
                return [edited_item(self.rng, self.ids[p], self.keys[p], self.shape) for p in positions]

            def timed(items):
                for item in items:
                    if adapter.update(store, item) is None:
                        raise RuntimeError('update returned None for a stored id')
            return prepare, timed, nothing, 100000

        if name == 'update_partially':
            def prepare(count):
                return [(self.ids[p], {'content': 'Edited content %d' % self.rng.randrange(10 ** 6)})
                        for p in self.random_positions(count)]

            def timed(changes_by_id):
                for item_id, changes in changes_by_id:
                    if adapter.update_partially(store, item_id, changes) is None:
                        raise RuntimeError('update_partially returned None for a stored id')
            return prepare, timed, nothing, 100000

        if name == 'delete_by_id':
            removed_items: List[Any] = []

            def prepare(count):
                # Distinct ids (deleting one twice in a batch would time a miss), at positions below
                # size - count, which stay valid for the floor's del during the whole batch.
                positions = self.rng.sample(range(self.size - count), count)
                return [self.ids[p] for p in positions]

            def timed(item_ids):
                for item_id in item_ids:
                    removed_items.append(adapter.delete_by_id(store, item_id))

            def clean_up(_item_ids):
                if any(removed is None for removed in removed_items):
                    raise RuntimeError('delete_by_id returned None for a stored id')
                adapter.restore_deleted(store, removed_items)
                removed_items.clear()
            return prepare, timed, clean_up, mutating_limit

        raise ValueError('unknown operation ' + name)



class FileBench:
    """A file of ``size`` items for one library: timing of ``open`` (a new persistence loading
    the file) and of one write (an ``update`` on a store of ``size`` items, which rewrites the
    whole file), and the file's size after those writes."""

    def __init__(self, adapter, shape: str, size: int, seed: int, directory: str):
        self.adapter = adapter
        self.shape = shape
        self.size = size
        item_rng = random.Random(seed)
        fields_list = [make_fields(item_rng, number) for number in range(size)]
        self.path = os.path.join(directory, 'items-%s-%s-%d-%d.json' % (adapter.name, shape, size, os.getpid()))
        # Every library opens the same content: plain dicts, written by the floor.
        write_atomically(self.path, json.dumps(fields_list))
        self.ids = [fields['id'] for fields in fields_list]
        self.keys = [fields['key'] for fields in fields_list]
        self.rng = random.Random(seed + 2)
        self.store = None

    def open_operation(self) -> Contender:
        opened: List[Any] = []

        def timed(count):
            for _ in range(count):
                opened.append(self.adapter.open_file(self.path))
        return (lambda count: count), timed, (lambda count: opened.clear()), 1

    def write_operation(self) -> Contender:
        self.store = self.adapter.open_file(self.path)
        if hasattr(self.adapter, 'prepare_file_store'):
            self.adapter.prepare_file_store(self.store)

        def prepare(count):
            positions = [self.rng.randrange(self.size) for _ in range(count)]
            return [edited_item(self.rng, self.ids[p], self.keys[p], self.shape) for p in positions]

        def timed(items):
            for item in items:
                self.adapter.write_file(self.store, self.path, item)
        return prepare, timed, nothing, 1

    def file_bytes(self) -> int:
        return os.path.getsize(self.path)

    def remove(self):
        self.store = None
        if os.path.exists(self.path):
            os.unlink(self.path)


def measure_memory(adapter, shape: str, size: int, seed: int) -> dict:
    """tracemalloc over building a memory store of ``size`` items one create at a time.

    Each item is made right before it is handed over and the caller keeps no reference, so what
    is retained is what the store keeps. ``peak`` also counts transient allocations.
    """
    item_rng = random.Random(seed)
    gc.collect()
    tracemalloc.start()
    store = adapter.new_store()
    for number in range(size):
        adapter.create(store, shape_item(make_fields(item_rng, number), shape))
    gc.collect()
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    scale = 100000 / size
    return {'retained_bytes_per_100k': retained * scale, 'peak_bytes_per_100k': peak * scale,
            'size': size}


def profile_operation(adapter, shape: str, size: int, operation: str, settings: Settings,
                      seed: int, lines: int) -> str:
    if operation in FILE_OPERATIONS:
        file_bench = FileBench(adapter, shape, size, seed, tempfile.mkdtemp(prefix='pip-data-profile-'))
        make = file_bench.open_operation if operation == 'open' else file_bench.write_operation
        prepare, timed, clean_up, limit = make()
    else:
        bench = Bench(adapter, shape, size, settings, seed)
        prepare, timed, clean_up, limit = bench.operation(operation)
    warm_up = prepare(1)
    timed(warm_up)
    clean_up(warm_up)
    # Enough calls for pstats' millisecond columns to show something.
    arguments = prepare(min(limit, 2000))
    profiler = cProfile.Profile()
    profiler.enable()
    timed(arguments)
    profiler.disable()
    clean_up(arguments)
    if operation in FILE_OPERATIONS:
        file_bench.remove()
        os.rmdir(os.path.dirname(file_bench.path))
    report = io.StringIO()
    stats = pstats.Stats(profiler, stream=report)
    stats.sort_stats('tottime').print_stats(lines)
    stats.sort_stats('cumulative').print_stats(lines)
    return report.getvalue()


# ---------------------------------------------------------------------------------------------

def library_description(library: str) -> dict:
    if library == 'floor':
        return {'module': None}
    import pip_services3_data
    description = {'module': os.path.dirname(os.path.abspath(pip_services3_data.__file__ or
                                                             list(pip_services3_data.__path__)[0]))}
    try:
        from importlib import metadata
        description['commons'] = metadata.version('pip_services3_commons')
        if library == 'old':
            description['version'] = metadata.version('pip_services3_data')
    except Exception:
        pass
    return description


def progress(message: str):
    sys.stderr.write('    [worker] %s\n' % message)
    sys.stderr.flush()


def measure_contenders(make_contender: Dict[str, Callable[[], Contender]], settings: Settings,
                       results: Dict[str, Dict[str, Any]], label: str, errors: List[str],
                       context: str):
    """Times one operation of every library in ``make_contender`` interleaved; stores each
    library's result (or its traceback) under ``results[library][label]``.

    When the interleaved run raises, each library is timed alone, so that the error is
    charged to the library that raised it and the others still get numbers.
    """
    contenders: Dict[str, Contender] = {}
    for name, make in make_contender.items():
        try:
            contenders[name] = make()
        except Exception:
            results[name][label] = {'error': traceback.format_exc()}
            errors.append(name)
    try:
        measured = run_interleaved(list(contenders.values()), settings) if contenders else []
    except Exception:
        measured = []
        for name, contender in contenders.items():
            try:
                measured.append(run_interleaved([contender], settings)[0])
            except Exception:
                measured.append({'error': traceback.format_exc()})
                errors.append(name)
    for name, result in zip(contenders, measured):
        results[name][label] = result
        if 'us' in result:
            progress('%s %s %s: %.2f us' % (name, context, label, result['us']))
        else:
            progress('%s %s %s FAILED' % (name, context, label))


def measure_operations(libraries: List[str], shapes: List[str], size: int, settings: Settings,
                       seed: int, directory: str) -> Tuple[Dict[str, Dict[str, Any]], List[str]]:
    """Every operation, then the file measures, of each library in ``libraries``, interleaved."""
    results: Dict[str, Dict[str, Any]] = {name: {} for name in libraries}
    errors: List[str] = []
    for shape in shapes:
        context = '%s n=%d' % (shape, size)
        for name in libraries:
            results[name][shape] = {}
        benches: Dict[str, Bench] = {}
        for name in libraries:
            try:
                benches[name] = Bench(make_adapter(name, shape), shape, size, settings, seed)
            except Exception:
                results[name][shape]['error'] = traceback.format_exc()
                errors.append(name)
        shape_results = {name: results[name][shape] for name in benches}
        for operation in OPERATIONS:
            measure_contenders({name: (lambda bench=bench: bench.operation(operation))
                                for name, bench in benches.items()},
                               settings, shape_results, operation, errors, context)
        benches.clear()
        gc.collect()

        file_benches: Dict[str, FileBench] = {}
        for name in libraries:
            if name == 'copying-floor':
                continue
            try:
                file_benches[name] = FileBench(make_adapter(name, shape), shape, size, seed, directory)
                results[name][shape]['file'] = {}
            except Exception:
                results[name][shape]['file'] = {'error': traceback.format_exc()}
                errors.append(name)
        file_results = {name: results[name][shape]['file'] for name in file_benches}
        measure_contenders({name: bench.open_operation for name, bench in file_benches.items()},
                           settings.for_files(), file_results, 'open', errors, context + ' file')
        measure_contenders({name: bench.write_operation for name, bench in file_benches.items()},
                           settings.for_files(), file_results, 'write', errors, context + ' file')
        for name, bench in file_benches.items():
            file_results[name]['file_bytes'] = bench.file_bytes()
            bench.remove()
        file_benches.clear()
        gc.collect()
    return results, errors


def run_job(job: dict) -> Tuple[dict, bool]:
    library = job['library']
    if library == 'ours':
        sys.path.insert(0, job['repo_root'])
    settings = Settings(job)
    answer: Dict[str, Any] = {'library': library, 'python': sys.version.split()[0],
                              'executable': sys.executable}
    failed = False
    answer['description'] = library_description(library)

    if job['task'] == 'operations':
        libraries = [library]
        if job.get('with_floor') and library != 'floor':
            libraries.append('floor')
            if library == 'ours':
                libraries.append('copying-floor')
        results, errors = measure_operations(libraries, job['shapes'], job['size'], settings,
                                             job['seed'], job['directory'])
        answer['results'] = results[library]
        if 'floor' in results and library != 'floor':
            answer['floor_results'] = results['floor']
        if 'copying-floor' in results:
            answer['copying_floor_results'] = results['copying-floor']
        failed = bool(errors)
    elif job['task'] == 'memory':
        shape = job['shape']
        try:
            answer['memory'] = measure_memory(make_adapter(library, shape), shape, job['size'], job['seed'])
        except Exception:
            answer['memory'] = {'error': traceback.format_exc()}
            failed = True
    elif job['task'] == 'profile':
        answer['profile'] = profile_operation(make_adapter(library, job['shape']), job['shape'],
                                              job['size'], job['operation'], settings, job['seed'],
                                              job.get('lines', 25))
    else:
        raise ValueError('unknown task ' + job['task'])
    return answer, failed


def main() -> int:
    job = json.loads(sys.argv[1])
    try:
        answer, failed = run_job(job)
    except Exception:
        answer, failed = {'library': job.get('library'), 'fatal': traceback.format_exc()}, True
    sys.stdout.write(RESULT_MARKER + json.dumps(answer) + '\n')
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
