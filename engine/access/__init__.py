"""Access checks at the service boundary: every path (API, CLI, worker) passes them. A principal of `None`
is the system itself."""

from .errors import Forbidden, Unauthenticated
from .principal import Principal
from .rules import (
    case_clause,
    may_deploy,
    require_audit_reader,
    require_case,
    require_deploy,
    require_message,
    require_task,
    task_clause,
)
from .sharing import sync_case_access
from .task_viewers import sync_task_viewers, sync_task_viewers_of

__all__ = ["Forbidden", "Principal", "Unauthenticated", "case_clause", "may_deploy", "require_audit_reader",
           "require_case", "require_deploy", "require_message", "require_task", "sync_case_access",
           "sync_task_viewers", "sync_task_viewers_of", "task_clause"]
