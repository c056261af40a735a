"""The database: tables of deployed process definitions, cases, their open tasks and history."""

from .audit import AuditEvent
from .identity import ApiToken, CaseAccess, CaseGroup, Organisation, User
from .models import Case, CaseEvent, MessageReceipt, ProcessDefinition, ProcessFile, Task

__all__ = ["ApiToken", "AuditEvent", "Case", "CaseAccess", "CaseEvent", "CaseGroup", "MessageReceipt", "Organisation",
           "ProcessDefinition", "ProcessFile", "Task", "User"]
