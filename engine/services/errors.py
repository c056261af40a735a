"""Errors the services raise; the API turns each into a problem document with the status given here."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    type = "about:blank"
    title = "Felaktig begäran"

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidRequest(ServiceError):
    status = 400
    type = "invalid-request"


class NotFound(ServiceError):
    status = 404
    type = "not-found"
    title = "Finns inte"


class Conflict(ServiceError):
    status = 409
    type = "conflict"
    title = "Konflikt"


class InvalidData(ServiceError):
    """Data that fails a form's schema; `errors` holds one entry per field."""

    status = 422
    type = "validation-failed"
    title = "Uppgifterna stämmer inte med formuläret"

    def __init__(self, detail: str, errors: list[dict]):
        super().__init__(detail, errors=errors)
        self.errors = errors


class InvalidProcessSet(ServiceError):
    status = 422
    type = "invalid-process-set"
    title = "Processfilerna kan inte driftsättas"

    def __init__(self, detail: str, problems: list[dict]):
        super().__init__(detail, problems=problems)
        self.problems = problems


class ProcessFailed(ServiceError):
    """The process itself failed in a step (a script, a condition, a table); the case was left unchanged
    and shows the incident."""

    status = 422
    type = "process-incident"
    title = "Processen kunde inte fortsätta"


class CaseUnloadable(ProcessFailed):
    """The case's stored state cannot be loaded by the workflow engine: nothing can read where it stands or move
    it; the incident on the case says so."""

    title = "Ärendet kan inte läsas in"
