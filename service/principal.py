"""Who is making the request."""

from dataclasses import dataclass, field

from schemas.common import Role


@dataclass(frozen=True, slots=True)
class Grant:
    """What one officer's assignments open to a researcher, and that officer's own scope now."""

    scopes: list[tuple[int, str | None]] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    cadre_ids: list[int] = field(default_factory=list)
    unit_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SearchScope:
    """What a user may search, read from the database (never from client input)."""

    scopes: list[tuple[int, str | None]] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated user behind a request, and where the request came from."""

    user_id: int
    username: str
    display_name: str
    role: Role
    source_ip: str | None = None
    token_kind: str = "bearer"
    # Read with the token in the same round trip by routes that search (else None).
    search_scope: SearchScope | None = None

    def has(self, *roles: Role) -> bool:
        """Whether the user holds one of the roles."""
        return self.role in roles


SYSTEM = Principal(user_id=0, username="system", display_name="系统", role=Role.admin)
