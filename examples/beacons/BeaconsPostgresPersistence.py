"""Beacons in PostgreSQL, for a service that outgrows one machine: built on pip-services3-postgres.

Needs ``pip install pip-services3-postgres`` (which brings the psycopg2 driver) and a server;
the memory and file persistences of this example need neither, so the package's
``__init__`` does not import this module.
"""

import dataclasses
import json
from typing import Any, Dict, List, Optional

from pip_services3_commons.data import DataPage, FilterParams, PagingParams, SortParams
from pip_services3_commons.errors import BadRequestException
from pip_services3_postgres.persistence import IdentifiableJsonPostgresPersistence

from .BeaconV1 import BeaconV1
from .beacons_filter import DEFAULT_SORT, split_list
from .IBeaconsPersistence import IBeaconsPersistence

BEACON_FIELDS = {field.name for field in dataclasses.fields(BeaconV1)}


# pip-services3-postgres types its methods with a free type variable (create(item: T) -> T), which a
# type checker cannot match with the interface's BeaconV1: hence the ignores on the class and on update.
class BeaconsPostgresPersistence(IdentifiableJsonPostgresPersistence, IBeaconsPersistence):  # type: ignore[misc]
    """Implements :class:`IBeaconsPersistence` over a PostgreSQL table of ``id`` and JSONB ``data``.

    It answers like the memory and file persistences (the example's tests run one fixture over
    all three), with the differences a database has by nature: a page's ``total`` is counted
    only when the paging asks for it, and a new beacon with an id already stored is refused.

    ### Configuration parameters ###
        - table: the table name (default: ``beacons``), created on open when missing
        - connection: ``host``, ``port``, ``database``
        - credential: ``username``, ``password``
        - options:
            - max_page_size: the largest number of beacons a page holds (default: 100)
    """

    def __init__(self) -> None:
        super().__init__('beacons')

    def _define_schema(self) -> None:
        self._clear_schema()  # type: ignore[no-untyped-call]  # not annotated in pip-services3-postgres
        self._ensure_table()
        self._ensure_index(self._table_name + '_site_id', {"(data->>'site_id')": 1})

    def _convert_to_public(self, value: Any) -> Optional[BeaconV1]:
        # The library hands back a bare record class; the controller expects BeaconV1 objects.
        if value is None:
            return None
        return BeaconV1(**value['data'])

    def _convert_from_public(self, value: BeaconV1) -> Dict[str, Any]:
        return {'id': value.id, 'data': json.dumps(dataclasses.asdict(value))}

    def get_page_by_filter(  # type: ignore[override]
            self, correlation_id: Optional[str], filter: Optional[FilterParams],
            paging: Optional[PagingParams], sort: Optional[SortParams] = None) -> DataPage:
        return super().get_page_by_filter(correlation_id, compose_where(filter), paging or PagingParams(),
                                          compose_order_by(correlation_id, sort or DEFAULT_SORT), None)

    def get_one_by_udi(self, correlation_id: Optional[str], udi: str) -> Optional[BeaconV1]:
        where = "data->>'udi' = " + sql_text(udi)
        beacons: List[BeaconV1] = super().get_list_by_filter(correlation_id, where, None, None)
        return beacons[0] if beacons else None

    def update(  # type: ignore[override]
            self, correlation_id: Optional[str], item: BeaconV1) -> Optional[BeaconV1]:
        # pip-services3-postgres 3.2.8 raises AttributeError when no row has the id; the
        # interface promises None, as the memory and file persistences return.
        row = self._convert_from_public(item)
        query = f'UPDATE {self._quoted_table_name()} SET "data" = %s WHERE "id" = %s RETURNING *'
        rows = self._request(query, [row['data'], row['id']])['items']
        return self._convert_to_public(rows[0]) if rows else None


def sql_text(value: str) -> str:
    """``value`` as an SQL string literal (quotes doubled; backslashes are plain characters
    because ``standard_conforming_strings`` is on, the default since PostgreSQL 9.1)."""
    return "'" + value.replace("'", "''") + "'"


def compose_where(filter: Optional[FilterParams]) -> Optional[str]:
    """The SQL condition matching what :func:`compose_filter` matches, or ``None`` for everything."""
    filter = filter if filter is not None else FilterParams()
    conditions: List[str] = []
    for key, column in (('id', 'id'), ('site_id', "data->>'site_id'"), ('label', "data->>'label'"),
                        ('udi', "data->>'udi'")):
        value = filter.get_as_nullable_string(key)
        if value is not None:
            conditions.append(f'{column} = {sql_text(value)}')
    udis = split_list(filter.get_as_nullable_string('udis'))
    if udis is not None:
        conditions.append("data->>'udi' IN (" + ', '.join(map(sql_text, udis)) + ')' if udis else 'FALSE')
    return ' AND '.join(conditions) if conditions else None


def compose_order_by(correlation_id: Optional[str], sort: SortParams) -> str:
    """``ORDER BY`` terms for ``sort``; JSONB compares numbers as numbers and sorts null first,
    as the memory persistence sorts ``None``.

    :raises BadRequestException: code ``UNKNOWN_SORT_FIELD`` for a name that is no beacon field
        (names are written into the SQL, so only known ones may pass).
    """
    terms: List[str] = []
    for field in sort:
        if field.name not in BEACON_FIELDS:
            message = f'Beacons cannot be sorted by {field.name!r}'
            raise BadRequestException(correlation_id, 'UNKNOWN_SORT_FIELD', message).with_details('field', field.name)
        terms.append(f"data->'{field.name}'" + ('' if field.ascending else ' DESC'))
    return ', '.join(terms)
