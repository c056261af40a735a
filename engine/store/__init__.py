"""The database: tables of deployed process definitions, cases, their open tasks and history."""

from .models import Case, CaseEvent, MessageReceipt, ProcessDefinition, ProcessFile, Task

__all__ = ["Case", "CaseEvent", "MessageReceipt", "ProcessDefinition", "ProcessFile", "Task"]
