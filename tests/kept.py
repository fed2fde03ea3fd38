"""Fixtures that build much through the domain operations (the county, its half year, one case taken through
every notice) are built once per test worker and put back for every later test.

The first test that asks builds it through the operations, as before; what the build changed in the database
(rows added, changed, removed) is kept as a layer, with the fixture's answer in which each ORM object is
replaced by its class and primary key. A later test gets the layer back by a few bulk statements and objects
loaded in its own session: the same rows, the same ids. A layer is put back only onto exactly the rows it was
built on (compared in full, every column); on any other base the fixture is built anew, as before.

Not kept: the data version (the page cache's key). Putting it back would give two tests' different data one
version; the restore is a writing transaction, so it raises a version of its own, with a new epoch.
"""

from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import and_, delete, inspect, select, update

from inspect_loop.db import db

NOT_KEPT = frozenset({"data_version"})

Rows = dict[str, dict[tuple, dict]]  # table name → primary key → the row's columns


@dataclass(frozen=True)
class Layer:
    base: Rows
    added: dict[str, list[dict]]
    changed: dict[str, list[dict]]
    removed: dict[str, list[tuple]]
    answer: object


@dataclass(frozen=True)
class Reference:
    model: type
    identity: tuple


_layers: dict[str, Layer] = {}


def kept(name: str, build):
    """``build()``'s answer, built once per worker and put back afterwards onto the same base."""
    before = _rows()
    layer = _layers.get(name)
    if layer is not None and layer.base == before:
        _put_back(layer)
        return _loaded(layer.answer)
    answer = build()
    db.session.commit()
    _layers[name] = Layer(before, *_difference(before, _rows()), _referenced(answer))
    return answer


def _tables():
    return [table for table in db.metadata.sorted_tables if table.name not in NOT_KEPT]


def _key(table, row) -> tuple:
    return tuple(row[column.name] for column in table.primary_key.columns)


def _rows() -> Rows:
    connection = db.session.connection()
    return {table.name: {_key(table, row): row for row in map(dict, connection.execute(select(table)).mappings())}
            for table in _tables()}


def _difference(before: Rows, after: Rows):
    added, changed, removed = {}, {}, {}
    for name, rows in after.items():
        old = before[name]
        added[name] = [row for key, row in rows.items() if key not in old]
        changed[name] = [row for key, row in rows.items() if key in old and old[key] != row]
        removed[name] = [key for key in old if key not in rows]
    return added, changed, removed


def _where_key(table, key: tuple):
    return and_(*(column == value for column, value in zip(table.primary_key.columns, key, strict=True)))


def _put_back(layer: Layer) -> None:
    connection = db.session.connection()
    tables = _tables()
    for table in reversed(tables):
        for key in layer.removed[table.name]:
            connection.execute(delete(table).where(_where_key(table, key)))
    for table in tables:
        if layer.added[table.name]:
            connection.execute(table.insert(), layer.added[table.name])
    for table in tables:
        for row in layer.changed[table.name]:
            connection.execute(update(table).where(_where_key(table, _key(table, row))).values(row))
    db.session.commit()


def _referenced(answer):
    return _each(answer, lambda value: Reference(type(value), inspect(value).identity)
                 if hasattr(value, "_sa_instance_state") else value)


def _loaded(answer):
    return _each(answer, lambda value: db.session.get(value.model, value.identity)
                 if isinstance(value, Reference) else value)


def _each(answer, change):
    """``answer`` with ``change`` applied to every value its namespaces, lists, tuples and dicts hold."""
    if isinstance(answer, SimpleNamespace):
        return SimpleNamespace(**{name: _each(value, change) for name, value in vars(answer).items()})
    if isinstance(answer, list | tuple):
        return type(answer)(_each(value, change) for value in answer)
    if isinstance(answer, dict):
        return {name: _each(value, change) for name, value in answer.items()}
    return change(answer)
