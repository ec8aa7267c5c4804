"""Who is making the request."""

from dataclasses import dataclass

from schemas.common import Role


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated user behind a request, and where the request came from."""

    user_id: int
    username: str
    display_name: str
    role: Role
    source_ip: str | None = None
    token_kind: str = "bearer"

    def has(self, *roles: Role) -> bool:
        """Whether the user holds one of the roles."""
        return self.role in roles


SYSTEM = Principal(user_id=0, username="system", display_name="系统", role=Role.admin)
