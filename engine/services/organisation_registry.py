"""The organisations a case's forms offer where a field takes an organisation of the registry
(`organisationsFrom`, engine/forms/organisations.py): those registered in the case's region. A case of the
base routine (region `base`, which is no region of its own) offers those of the region of the organisation
that started it, as does a case of a region where no organisation is registered. The names are what the
case's participants, candidate groups and sharing refer to, so a chosen organisation is the one whose staff get
its tasks."""

from __future__ import annotations

import sqlalchemy as sa

from ..database import db
from ..store import Case, Organisation
from .process_sets import BASE_REGION


def organisations_for(case: Case):
    """A function giving the (name, kind) of every organisation the case's forms offer, read when called."""
    return lambda: offered(case)


def offered(case: Case) -> list[tuple[str, str]]:
    for region in _regions(case):
        found = [(name, kind) for name, kind in db.session.execute(
            sa.select(Organisation.name, Organisation.kind).where(Organisation.region == region)
            .order_by(Organisation.name)).all()]
        if found:
            return found
    return []


def _regions(case: Case):
    """The case's region, then (where it is the base, or has no organisation registered) the initiator's."""
    if case.region != BASE_REGION:
        yield case.region
    if case.initiating_organisation:
        region = db.session.scalar(
            sa.select(Organisation.region).where(Organisation.name == case.initiating_organisation))
        if region and region not in (case.region, BASE_REGION):
            yield region
