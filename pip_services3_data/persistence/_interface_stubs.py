"""Keeps interface stubs from hiding the persistence methods that implement them.

A service may declare ``class MyPersistence(IMyPersistence, IdentifiableMemoryPersistence)``
where ``IMyPersistence`` lists :class:`IGetter`, :class:`IWriter` and friends. Python's method
resolution then finds the interface's ``raise NotImplementedError`` before the real method.
"""

import dis
from types import FunctionType
from typing import Any, Dict

# The instructions a body consisting only of ``raise NotImplementedError(...)`` compiles to on
# the supported Python versions, with or without a message.
_STUB_INSTRUCTIONS = frozenset({
    'RESUME', 'NOP', 'CACHE', 'PUSH_NULL', 'LOAD_GLOBAL', 'LOAD_CONST', 'PRECALL', 'CALL',
    'CALL_FUNCTION', 'KW_NAMES', 'RAISE_VARARGS',
})


def is_interface_stub(member: Any) -> bool:
    """Tells whether ``member`` is a function whose whole body raises :class:`NotImplementedError`."""
    if not isinstance(member, FunctionType):
        return False
    code = member.__code__
    if code.co_names != ('NotImplementedError',):
        return False
    return all(instruction.opname in _STUB_INSTRUCTIONS for instruction in dis.get_instructions(code))


def use_implementations_hidden_by_stubs(cls: type) -> None:
    """Binds on ``cls`` every method whose first definition in its MRO is an interface stub,
    but which a class further along the MRO implements."""
    first_definitions: Dict[str, Any] = {}
    implementations: Dict[str, Any] = {}
    for klass in cls.__mro__:
        for name, member in vars(klass).items():
            first_definitions.setdefault(name, member)
            if name not in implementations and not is_interface_stub(member):
                implementations[name] = member
    for name, member in first_definitions.items():
        if is_interface_stub(member) and name in implementations:
            setattr(cls, name, implementations[name])
