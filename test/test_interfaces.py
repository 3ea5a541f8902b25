"""The public surface: imports old and new, interface mix-ins in any base order, stubs that raise."""

import importlib
import sys
from abc import ABC
from typing import Any, Optional

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
# Stubs however they are written


class RaisesTheClass:
    def get_one_by_id(self, correlation_id, id):
        raise NotImplementedError


class RaisesAnInstance:
    def get_one_by_id(self, correlation_id, id):
        raise NotImplementedError()


class RaisesWithAMessage:
    def get_one_by_id(self, correlation_id, id):
        raise NotImplementedError('Method from interface definition')


class DocumentedRaisesTheClass:
    def get_one_by_id(self, correlation_id, id):
        """Gets the item with the given id."""
        raise NotImplementedError


class DocumentedRaisesAnInstance:
    def get_one_by_id(self, correlation_id, id):
        """Gets the item with the given id."""
        raise NotImplementedError()


class DocumentedRaisesWithAMessage:
    def get_one_by_id(self, correlation_id, id):
        """Gets the item with the given id.

        :param id: the id of the item to get.
        """

        # A comment and blank lines compile to nothing.

        raise NotImplementedError(
            'Method from '
            'interface definition'
        )


class MessageEqualToTheDocstring:
    def get_one_by_id(self, correlation_id, id):
        """Method from interface definition"""
        raise NotImplementedError('Method from interface definition')


class OneLineStub:
    def get_one_by_id(self, correlation_id, id): """Gets an item."""; raise NotImplementedError(42)  # noqa: E702


class AnnotatedWithDefaultsAndKeywordOnlyArguments:
    def get_one_by_id(self, correlation_id: Optional[str] = None, id: Any = None, *extra: Any,
                      copy: bool = True, **options: Any) -> Any:
        raise NotImplementedError('Method from interface definition')


def interface_built_in_a_function(default_id):
    """Defaults and annotations taken from the enclosing function: the closure is the class body's, not the stub's."""
    id_type = type(default_id)

    class StubClosingOverItsFunction:
        def get_one_by_id(self, correlation_id=None, id: id_type = default_id, key=lambda: default_id) -> id_type:
            raise NotImplementedError('Method from interface definition')

    return StubClosingOverItsFunction


def interface_declared_under_a_tracer():
    """What a debugger or coverage does: since 3.12 a tracer rewrites the code it runs."""
    previous_tracer = sys.gettrace()
    sys.settrace(lambda frame, event, argument: None)
    try:
        class StubDeclaredUnderATracer:
            def get_one_by_id(self, correlation_id, id):
                raise NotImplementedError('Method from interface definition')

        with pytest.raises(NotImplementedError):
            StubDeclaredUnderATracer().get_one_by_id(None, '1')
    finally:
        sys.settrace(previous_tracer)
    return StubDeclaredUnderATracer


def interface_called_many_times():
    """Since 3.11 the interpreter specialises the instructions of code it runs often."""
    class StubCalledManyTimes:
        def get_one_by_id(self, correlation_id, id):
            raise NotImplementedError('Method from interface definition')

    for _ in range(1000):
        with pytest.raises(NotImplementedError):
            StubCalledManyTimes().get_one_by_id(None, '1')
    return StubCalledManyTimes


STUB_INTERFACES = [
    RaisesTheClass, RaisesAnInstance, RaisesWithAMessage, DocumentedRaisesTheClass,
    DocumentedRaisesAnInstance, DocumentedRaisesWithAMessage, MessageEqualToTheDocstring, OneLineStub,
    AnnotatedWithDefaultsAndKeywordOnlyArguments, interface_built_in_a_function('none'),
    interface_declared_under_a_tracer(), interface_called_many_times(),
]


@pytest.mark.parametrize('interface', STUB_INTERFACES, ids=lambda interface: interface.__name__)
def test_a_stub_written_any_way_does_not_hide_the_implementation_from_plain_calls(interface):
    class DummyPersistence(interface, IdentifiableMemoryPersistence):
        pass

    persistence = DummyPersistence()
    persistence.create(None, {'id': '1', 'key': 'a'})

    assert persistence.get_one_by_id(None, '1').key == 'a'
    assert isinstance(persistence, interface)


@pytest.mark.parametrize('interface', STUB_INTERFACES, ids=lambda interface: interface.__name__)
def test_a_stub_written_any_way_does_not_hide_the_implementation_from_super(interface):
    class DummyPersistence(interface, IdentifiableMemoryPersistence):
        def get_one_by_id(self, correlation_id, id):
            return super().get_one_by_id(correlation_id, id.strip())

    persistence = DummyPersistence()
    persistence.create(None, {'id': '1', 'key': 'a'})

    assert persistence.get_one_by_id(None, ' 1 ').key == 'a'


class RaisesOnlySometimes:
    def get_one_by_id(self, correlation_id, id):
        if id is None:
            raise NotImplementedError('Method from interface definition')
        return 'its own'


class RaisesAnotherError:
    def get_one_by_id(self, correlation_id, id):
        raise LookupError('Method from interface definition')


class RaisesAComputedMessage:
    def get_one_by_id(self, correlation_id, id):
        raise NotImplementedError(f'no item {id}')


class CoroutineStub:
    """Calling it returns a coroutine, without raising."""

    async def get_one_by_id(self, correlation_id, id):
        raise NotImplementedError('Method from interface definition')


class GeneratorStub:
    """Calling it returns a generator, without raising."""

    def get_one_by_id(self, correlation_id, id):
        raise NotImplementedError('Method from interface definition')
        yield


class StubsBesideARealMethod:
    def get_one_by_id(self, correlation_id, id):
        raise NotImplementedError('Method from interface definition')

    def get_one_by_key(self, correlation_id, key):
        return 'its own'


@pytest.mark.parametrize('klass', [RaisesOnlySometimes, RaisesAnotherError, RaisesAComputedMessage, CoroutineStub,
                                   GeneratorStub, StubsBesideARealMethod],
                         ids=lambda klass: klass.__name__)
def test_a_class_with_any_method_that_is_not_a_plain_stub_keeps_its_place(klass):
    class DummyPersistence(klass, IdentifiableMemoryPersistence):
        pass

    order = DummyPersistence.__mro__
    assert order.index(klass) < order.index(IdentifiableMemoryPersistence)
    assert DummyPersistence.get_one_by_id is klass.get_one_by_id


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
