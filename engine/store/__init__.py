"""The database: tables of deployed process definitions, cases, their open tasks and history."""

from .audit import AuditEvent
from .identity import NO_DUE_DATE, ApiToken, CaseAccess, CaseGroup, Organisation, TaskViewer, User, UserRole
from .models import Case, CaseEvent, MessageReceipt, ProcessDefinition, ProcessFile, StartReceipt, Task
from .notifications import Notification, NotificationEvent, NotificationPreference, WebhookSubscription
from .web_sessions import SignInAttempt, WebSession

__all__ = ["NO_DUE_DATE", "ApiToken", "AuditEvent", "Case", "CaseAccess", "CaseEvent", "CaseGroup", "MessageReceipt",
           "Notification", "NotificationEvent", "NotificationPreference", "Organisation", "ProcessDefinition",
           "ProcessFile", "SignInAttempt", "StartReceipt", "Task", "TaskViewer", "User", "UserRole", "WebSession",
           "WebhookSubscription"]
