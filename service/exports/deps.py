"""Who may export PDFs: personnel officers and leaders (researchers and auditors may not)."""

from typing import Annotated

from fastapi import Depends

from schemas.common import Role
from service.deps import Allow
from service.principal import Principal

# Researchers read cadres only through their open campaign teams and file material; a
# printable, portable copy of a whole dossier is for the people who decide on cadres.
EXPORT_ROLES = (Role.officer, Role.leader)

Exporter = Annotated[Principal, Depends(Allow(*EXPORT_ROLES))]
