"""Schema migrations: run Alembic to head, and the raw-SQL helper the migration scripts use."""

from alembic.config import Config
from sqlalchemy.util import await_only

from alembic import command, op
from service.config import PROJECT_ROOT


def execute_script(sql: str) -> None:
    """Run a multi-statement SQL script inside the current migration's transaction."""
    raw = op.get_bind().connection.driver_connection
    assert raw is not None
    await_only(raw.execute(sql))


def upgrade_head(database_url: str) -> None:
    """Apply every migration up to head (the only way the schema is created)."""
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.attributes["database_url"] = database_url
    command.upgrade(cfg, "head")
