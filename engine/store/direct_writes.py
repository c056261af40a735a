"""Writing a mapped object with one statement of its own instead of the session's unit of work: a case and its
tasks change on every step, and the unit of work's bookkeeping for them costs more than the statements.

The object stays what the session knows: after `insert_now` it is persistent in the session as if it had been
read, and `update_now` sets its new values as committed ones, so a later flush writes nothing twice. A mapper
with a version column (a case's `revision`) gets the same check as the unit of work makes: an update of a
stale row raises StaleDataError.

`update_later` and `delete_later` are writes a change makes before its case's own UPDATE (a task closed, the
viewer rows of closed tasks deleted): on PostgreSQL they go with the next `update_now` as WITH clauses of its
UPDATE, one round trip for all, each update still checked to change its row; elsewhere they run at once. What
no `update_now` takes is written before the transaction's appended rows (engine.store.appended)."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.orm import MANYTOONE, Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError


def is_new(obj) -> bool:
    """Not stored yet: neither read from the database nor written to it."""
    return not sa.inspect(obj).has_identity


def set_changed(obj, **values) -> bool:
    """Set the attributes whose value differs; whether any did. An attribute set to the value it has still marks
    the object dirty, and the session's flush at commit then spends as much as a statement to write nothing."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def insert_now(session: Session, obj) -> None:
    """INSERT a new object's row now. Columns left unset get their declared defaults, on the object too."""
    mapper = sa.inspect(obj).mapper
    for relationship in mapper.relationships:  # a foreign key given as the object it refers to
        related = obj.__dict__.get(relationship.key)
        if relationship.direction is MANYTOONE and related is not None:
            related_mapper = sa.inspect(related).mapper
            for local, remote in relationship.local_remote_pairs:
                setattr(obj, mapper.get_property_by_column(local).key,
                        getattr(related, related_mapper.get_property_by_column(remote).key))
    values = {}
    for attribute in mapper.column_attrs:
        column = attribute.columns[0]
        value = getattr(obj, attribute.key)
        if value is None and column.default is not None:
            default = column.default
            value = default.arg(None) if default.is_callable else default.arg
            setattr(obj, attribute.key, value)
        values[column.key] = value
    session.connection(bind_arguments={"mapper": mapper}).execute(mapper.local_table.insert(), values)
    make_transient_to_detached(obj)
    session.add(obj)


def update_now(session: Session, obj, **values) -> None:
    """UPDATE a stored object's row now with `values` (attribute names), checked against its version column
    where it has one, which is then advanced."""
    mapper = sa.inspect(obj).mapper
    version = mapper.version_id_col
    parameters = {f"key_{column.key}": getattr(obj, mapper.get_property_by_column(column).key)
                  for column in mapper.primary_key}
    if version is not None:
        name = mapper.get_property_by_column(version).key
        parameters["version_now"] = getattr(obj, name)
        values[name] = parameters["version_now"] + 1
    columns = tuple(mapper.get_property(name).columns[0] for name in values)
    parameters.update({f"new_{column.key}": value for column, value in zip(columns, values.values(), strict=True)})
    connection = session.connection(bind_arguments={"mapper": mapper})
    statement, updates = _update(mapper, columns), session.info.pop(_LATER, [])
    if updates:
        counted = [sa.select(sa.func.count()).select_from(write).scalar_subquery()
                   for write, expected in updates if expected is not None]
        statement = statement.add_cte(*(write for write, _ in updates)).returning(
            *(counted or [sa.literal_column("1")]))
    result = connection.execute(statement, parameters)
    counts = result.all() if updates else [()] * result.rowcount
    if len(counts) != 1:
        key = [parameters[f"key_{column.key}"] for column in mapper.primary_key]
        raise StaleDataError(f"{mapper.local_table.name} {key} was changed or deleted meanwhile")
    checked = [expected for _, expected in updates if expected is not None]
    _check_later(checked, counts[0] if checked else ())
    for name, value in values.items():
        set_committed_value(obj, name, value)


_LATER = "writes_with_next_update"


def update_later(session: Session, obj, **values) -> None:
    """UPDATE a stored object's row (one without a version column) with `values`, with the next `update_now`
    on PostgreSQL, else now. The object has its new values as committed ones at once."""
    mapper = sa.inspect(obj).mapper
    connection = session.connection(bind_arguments={"mapper": mapper})
    if connection.dialect.name != "postgresql" or mapper.version_id_col is not None:
        update_now(session, obj, **values)
        return
    table = mapper.local_table
    key = [(column, getattr(obj, mapper.get_property_by_column(column).key)) for column in mapper.primary_key]
    write = (table.update().where(*(column == value for column, value in key))
             .values({mapper.get_property(name).columns[0]: value for name, value in values.items()})
             .returning(sa.literal_column("1")))
    _later(session, write, (table.name, [value for _, value in key]))
    for name, value in values.items():
        set_committed_value(obj, name, value)


def delete_later(session: Session, statement: sa.Delete) -> None:
    """A DELETE, with the next `update_now` on PostgreSQL, else now."""
    if session.connection().dialect.name != "postgresql":
        session.execute(statement)
        return
    _later(session, statement, None)


def _later(session: Session, write, expected) -> None:
    updates = session.info.setdefault(_LATER, [])
    updates.append((write.cte(f"later_{len(updates)}"), expected))


def write_later_now(session: Session) -> None:
    """Write what waits for an `update_now` that did not come (at the latest before the transaction commits)."""
    updates = session.info.pop(_LATER, [])
    if not updates:
        return
    checked = [(write, expected) for write, expected in updates if expected is not None]
    statement = sa.select(*(sa.select(sa.func.count()).select_from(write).scalar_subquery() for write, _ in checked)
                          or [sa.literal(1)]).add_cte(*(write for write, _ in updates))
    counts = session.connection().execute(statement).one()
    _check_later([expected for _, expected in checked], counts)


def _check_later(expected: list, counts) -> None:
    for (table, key), count in zip(expected, counts, strict=True):
        if count != 1:
            raise StaleDataError(f"{table} {key} was changed or deleted meanwhile")


@sa.event.listens_for(Session, "after_soft_rollback")
def _drop_later(session: Session, _previous) -> None:
    session.info.pop(_LATER, None)


@functools.cache
def _update(mapper, columns: tuple[sa.Column, ...]) -> sa.Update:
    """The UPDATE of these columns by primary key (and version), built once."""
    table = mapper.local_table
    where = [column == sa.bindparam(f"key_{column.key}") for column in mapper.primary_key]
    if mapper.version_id_col is not None:
        where.append(mapper.version_id_col == sa.bindparam("version_now"))
    return table.update().where(*where).values({column: sa.bindparam(f"new_{column.key}") for column in columns})
