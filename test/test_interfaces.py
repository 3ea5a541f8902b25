"""The public surface: imports old and new, interface mix-ins in any base order, stubs that raise."""

import importlib
from abc import ABC

import pytest
from pip_services3_commons.config import IConfigurable
from pip_services3_commons.data import AnyValueMap, FilterParams, PagingParams
from pip_services3_commons.refer import IReferenceable
from pip_services3_commons.run import ICleanable, IOpenable

import pip_services3_data
import pip_services3_data.persistence
from pip_services3_data import (
    IFilteredPageReader, IFilteredReader, IGetter, ILoader, IPartialUpdater, IQuerablePageReader,
    IQuerableReader, ISaver, ISetter, IWriter,
)
from pip_services3_data.persistence import (
    FilePersistence, IdentifiableFilePersistence, IdentifiableMemoryPersistence, JsonFilePersister,
    MemoryPersistence,
)

INTERFACE_NAMES = [
    'IGetter', 'IWriter', 'ISetter', 'ILoader', 'ISaver', 'IFilteredReader', 'IFilteredPageReader',
    'IQuerableReader', 'IQuerablePageReader', 'IPartialUpdater',
]
PERSISTENCE_NAMES = [
    'MemoryPersistence', 'IdentifiableMemoryPersistence', 'FilePersistence',
    'IdentifiableFilePersistence', 'JsonFilePersister',
]


# ---------------------------------------------------------------------------------------------
# Imports


@pytest.mark.parametrize('name', INTERFACE_NAMES)
def test_each_interface_is_exported_at_the_root_and_from_its_own_module(name):
    from_root = getattr(pip_services3_data, name)
    from_module = getattr(importlib.import_module(f'pip_services3_data.{name}'), name)

    assert from_root is from_module
    assert name in pip_services3_data.__all__


@pytest.mark.parametrize('name', PERSISTENCE_NAMES)
def test_each_persistence_class_is_exported_from_the_package_and_from_its_own_module(name):
    from_package = getattr(pip_services3_data.persistence, name)
    from_module = getattr(importlib.import_module(f'pip_services3_data.persistence.{name}'), name)

    assert from_package is from_module
    assert name in pip_services3_data.persistence.__all__


def test_the_old_one_class_per_module_import_statements_work():
    from pip_services3_data.IGetter import IGetter as OldGetter
    from pip_services3_data.persistence.IdentifiableMemoryPersistence import (
        IdentifiableMemoryPersistence as OldPersistence,
    )
    from pip_services3_data.persistence.JsonFilePersister import JsonFilePersister as OldPersister

    assert OldGetter is IGetter
    assert OldPersister is JsonFilePersister
    assert OldPersistence is IdentifiableMemoryPersistence


# ---------------------------------------------------------------------------------------------
# Interface stubs


STUB_CALLS = [
    (IGetter, 'get_one_by_id', (None, '1')),
    (IWriter, 'create', (None, {})),
    (IWriter, 'update', (None, {})),
    (IWriter, 'delete_by_id', (None, '1')),
    (ISetter, 'set', (None, {})),
    (ILoader, 'load', (None,)),
    (ISaver, 'save', (None, [])),
    (IFilteredReader, 'get_list_by_filter', (None, FilterParams(), None)),
    (IFilteredPageReader, 'get_page_by_filter', (None, FilterParams(), PagingParams(), None)),
    (IQuerableReader, 'get_list_by_query', (None, 'query', None)),
    (IQuerablePageReader, 'get_page_by_query', (None, 'query', PagingParams(), None)),
    (IPartialUpdater, 'update_partially', (None, '1', AnyValueMap())),
]


@pytest.mark.parametrize('interface, method, arguments', STUB_CALLS,
                         ids=[f'{interface.__name__}.{method}' for interface, method, _ in STUB_CALLS])
def test_an_interface_method_nobody_implemented_raises_not_implemented_error(interface, method, arguments):
    class OnlyTheInterface(interface):
        pass

    instance = OnlyTheInterface()  # no @abstractmethod: instantiating a partial implementation works

    with pytest.raises(NotImplementedError):
        getattr(instance, method)(*arguments)


def test_a_service_interface_can_be_instantiated_without_implementing_everything():
    class IEverything(IGetter, IWriter, ISetter, IPartialUpdater, IFilteredPageReader, IFilteredReader,
                      IQuerableReader, IQuerablePageReader, ILoader, ISaver):
        pass

    class PartialImplementation(IEverything):
        def get_one_by_id(self, correlation_id, id):
            return {'id': id}

    instance = PartialImplementation()

    assert instance.get_one_by_id(None, '1') == {'id': '1'}
    with pytest.raises(NotImplementedError):
        instance.create(None, {'id': '1'})


# ---------------------------------------------------------------------------------------------
# Mix-in orders


def _service_interface(bases):
    """A service interface the way services declare them, with its own extra method."""
    class IDummyPersistence(*bases):
        def get_one_by_key(self, correlation_id, key):
            raise NotImplementedError('Method from interface definition')
    return IDummyPersistence


def _exercise_crud(persistence):
    created = persistence.create('123', {'id': '1', 'key': 'a', 'content': 'x'})
    assert created.key == 'a'
    assert persistence.get_one_by_id('123', '1').key == 'a'
    assert persistence.update_partially('123', '1', AnyValueMap({'content': 'y'})).content == 'y'
    assert persistence.update('123', {'id': '1', 'key': 'b', 'content': 'z'}).key == 'b'
    assert persistence.delete_by_id('123', '1').key == 'b'
    assert persistence.get_one_by_id('123', '1') is None


@pytest.mark.parametrize('interface_order', [(IGetter, IWriter, IPartialUpdater), (IWriter, IPartialUpdater, IGetter),
                                             (IPartialUpdater, IGetter, IWriter), (IPartialUpdater, IWriter, IGetter)],
                         ids=lambda order: '-'.join(interface.__name__ for interface in order))
@pytest.mark.parametrize('implementation_first', [True, False], ids=['implementation-first', 'interface-first'])
def test_a_service_may_list_its_interface_and_the_persistence_in_any_order(interface_order, implementation_first):
    IDummyPersistence = _service_interface(interface_order)
    bases = ((IdentifiableMemoryPersistence, IDummyPersistence) if implementation_first
             else (IDummyPersistence, IdentifiableMemoryPersistence))

    DummyPersistence = type('DummyPersistence', bases, {})
    persistence = DummyPersistence()

    _exercise_crud(persistence)
    assert isinstance(persistence, IDummyPersistence)
    assert all(isinstance(persistence, interface) for interface in interface_order)


@pytest.mark.parametrize('implementation_first', [True, False], ids=['implementation-first', 'interface-first'])
def test_the_file_persistence_also_mixes_with_a_service_interface_in_any_order(tmp_path, implementation_first):
    IDummyPersistence = _service_interface((IWriter, IPartialUpdater, IGetter))

    if implementation_first:
        class DummyFilePersistence(IdentifiableFilePersistence, IDummyPersistence):
            pass
    else:
        class DummyFilePersistence(IDummyPersistence, IdentifiableFilePersistence):
            pass

    persistence = DummyFilePersistence(JsonFilePersister(str(tmp_path / 'items.json')))
    persistence.open(None)

    _exercise_crud(persistence)


def test_an_interface_listed_before_the_persistence_does_not_hide_the_implementation():
    class IDummyPersistence(IFilteredPageReader, ISetter, IGetter, IWriter):
        pass

    class DummyPersistence(IDummyPersistence, IdentifiableMemoryPersistence):
        def get_page_by_filter(self, correlation_id, filter, paging):
            key = (filter or FilterParams()).get_as_nullable_string('key')
            return super().get_page_by_filter(correlation_id, lambda item: key is None or item.key == key, paging)

    persistence = DummyPersistence()
    persistence.set(None, {'id': '1', 'key': 'a'})
    persistence.set(None, {'id': '2', 'key': 'b'})

    page = persistence.get_page_by_filter(None, FilterParams.from_tuples('key', 'b'), None)

    assert [item.id for item in page.data] == ['2']
    assert persistence.get_one_by_id(None, '1').key == 'a'


def test_a_service_interface_declared_first_does_not_hide_the_implementation_from_super():
    class IDummyPersistence(ABC):
        def get_page_by_filter(self, correlation_id, filter, paging):
            raise NotImplementedError('Method from interface definition')

        def get_one_by_id(self, correlation_id, id):
            raise NotImplementedError('Method from interface definition')

    class DummyPersistence(IDummyPersistence, IdentifiableMemoryPersistence):
        def get_page_by_filter(self, correlation_id, filter, paging):
            key = (filter or FilterParams()).get_as_nullable_string('key')
            return super().get_page_by_filter(correlation_id, lambda item: key is None or item.key == key, paging)

    persistence = DummyPersistence()
    persistence.create(None, {'id': '1', 'key': 'a'})
    persistence.create(None, {'id': '2', 'key': 'b'})

    page = persistence.get_page_by_filter(None, FilterParams.from_tuples('key', 'a'), PagingParams())

    assert [item.id for item in page.data] == ['1']
    assert persistence.get_one_by_id(None, '2').key == 'b'


def test_the_services_own_methods_and_unimplemented_stubs_keep_their_meaning():
    class IDummyPersistence(IGetter, IWriter, ABC):
        def get_one_by_key(self, correlation_id, key):
            raise NotImplementedError('Method from interface definition')

        def count_all(self, correlation_id):
            raise NotImplementedError('Method from interface definition')

    class DummyPersistence(IDummyPersistence, IdentifiableMemoryPersistence):
        def get_one_by_key(self, correlation_id, key):
            return self.get_one_random(correlation_id, lambda item: item.key == key)

    persistence = DummyPersistence()
    persistence.create(None, {'id': '1', 'key': 'a'})

    assert persistence.get_one_by_key(None, 'a').id == '1'
    with pytest.raises(NotImplementedError):
        persistence.count_all(None)


# ---------------------------------------------------------------------------------------------
# isinstance


@pytest.mark.parametrize('persistence_class', [IdentifiableMemoryPersistence, IdentifiableFilePersistence])
def test_identifiable_persistences_are_instances_of_the_interfaces_they_implement(persistence_class):
    persistence = persistence_class()

    for interface in (IGetter, IWriter, ISetter, IPartialUpdater):
        assert isinstance(persistence, interface), interface.__name__


@pytest.mark.parametrize('persistence_class', [MemoryPersistence, IdentifiableMemoryPersistence,
                                               FilePersistence, IdentifiableFilePersistence])
def test_persistences_are_components(persistence_class):
    persistence = persistence_class()

    for interface in (IConfigurable, IReferenceable, IOpenable, ICleanable):
        assert isinstance(persistence, interface), interface.__name__


def test_the_json_file_persister_is_a_loader_and_a_saver():
    persister = JsonFilePersister()

    assert isinstance(persister, ILoader)
    assert isinstance(persister, ISaver)
    assert isinstance(persister, IConfigurable)
