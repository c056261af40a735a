"""Who is signed in: API tokens issued by an administrator, and OpenID Connect tokens from an identity
provider, mapped to users of organisations."""

from .authenticate import authenticate, principal_of, user_of
from .tokens import ensure_organisation, ensure_user, find_user, issue_token, revoke_tokens, revoke_user

__all__ = ["authenticate", "ensure_organisation", "ensure_user", "find_user", "issue_token", "principal_of",
           "revoke_tokens", "revoke_user", "user_of"]
