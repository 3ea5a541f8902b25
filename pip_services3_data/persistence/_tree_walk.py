"""Walking a tree of values depth first, without recursion, knowing each value's place."""

from typing import Any, Callable, Iterator, List, Optional, Set, Tuple

#: A container being walked: its children as (place, value) pairs, and the ids of the objects
#: on the path that it stands for (the container, and any object it was converted from).
Opened = Tuple[Iterator[Tuple[str, Any]], Tuple[int, ...]]


def walk(root: Opened, places: List[str], on_path: Set[int], open_child: Callable[[Any, int], Optional[Opened]]) -> None:
    """Opens every value below ``root``, depth first, with ``open_child(value, depth)``: its
    children, or ``None`` for a value that has none.

    While ``open_child`` runs, ``places`` spells the value's place (the root's first, then one
    entry per level) and ``on_path`` holds the ids of the containers between the root and the
    value, so that it can tell a cycle. It iterates, so any depth of value or caller is fine;
    to stop early, ``open_child`` raises.
    """
    on_path.update(root[1])
    stack = [root]
    while stack:
        children, ids = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            on_path.difference_update(ids)
            places.pop()
            continue
        place, value = child
        places.append(place)
        opened = open_child(value, len(stack))
        if opened is None:
            places.pop()
        else:
            on_path.update(opened[1])
            stack.append(opened)
