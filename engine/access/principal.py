"""Who is asking: the signed-in user as the services see it. `None` in place of a principal is the system
itself (the timer worker, the CLI, tests walking the routine): it passes every check."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    username: str
    organisation: str
    organisation_kind: str
    region: str
    roles: tuple[str, ...] = ("staff",)
    name: str | None = None
    remote_addr: str | None = None
    via: str = field(default="token", compare=False)  # "token" or "oidc"

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles
