"""Settings: the only place configuration enters the program (env prefix CADRE_)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "dev-secret-change-me", "secret"}


def library_index_name(index_prefix: str) -> str:
    """The live library index of an index prefix (reindex builds `<it>_build_<n>` and swaps)."""
    return f"{index_prefix}_library"


class Settings(BaseSettings):
    """Every setting, read from CADRE_* environment variables or a .env file."""

    model_config = SettingsConfigDict(env_prefix="CADRE_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str | None = None
    # The schema owner's DSN for migrations; the service and indexer use database_url (cadre_app).
    migration_database_url: str | None = None
    db_pool_min: int = 2
    db_pool_max: int = 20

    data_dir: Path = PROJECT_ROOT / ".data"
    cache_dir: Path = PROJECT_ROOT / ".cache"

    meili_url: str | None = None
    meili_master_key: SecretStr | None = None
    meili_search_key: SecretStr | None = None
    meili_index_key: SecretStr | None = None
    meili_timeout_s: float = 2.0
    meili_threads: int = 8
    index_prefix: str = "cadre"

    secret_key: SecretStr = SecretStr("dev-secret-change-me")
    token_ttl_minutes: int = 8 * 60
    upload_max_bytes: int = 50 * 1024 * 1024
    request_max_bytes: int = 2 * 1024 * 1024
    # Requests the app runs at once; more wait in arrival order (service/admission.py; 0: no limit).
    request_concurrency: int = Field(default=8, ge=0)
    # argon2id cost: "standard" is the library's RFC 9106 profile (64 MiB, 3 passes). "test-only-fast"
    # is real argon2id at its smallest cost, so a test suite creating thousands of accounts does not
    # spend most of its CPU hashing; refused outside env=test, where it is the default.
    password_hash: Literal["standard", "test-only-fast"] | None = None
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    # Failed logins from one address (any usernames) within the lockout window before it is throttled.
    login_ip_max_failures: int = 50
    # Browser session cookies carry Secure unless turned off for plain-HTTP development and tests.
    cookie_secure: bool = True
    cjk_font_path: Path | None = None
    cors_origins: list[str] = []

    # The audit sealer links committed entries into the hash chain off the request path.
    audit_sealer: bool = True  # run the sealer loop in this process (one sealer leads at a time)
    audit_seal_interval_s: float = 0.2
    # Checkpoints of the chain head, signed with an Ed25519 key that never enters the database
    # (64 hex characters; `cadre audit keygen` makes one), appended to a file the database
    # server cannot write. Keep the key and a copy of the checkpoints off the database server.
    audit_signing_key: SecretStr | None = None
    audit_checkpoint_file: Path | None = None
    audit_checkpoint_interval_s: float = 60.0

    # Business time zone: every "today", default date and displayed time (timestamps stay UTC).
    business_tz: str = "Asia/Shanghai"

    host: str = "127.0.0.1"
    port: int = 8000

    # Operations: search counts as stale (banner for officers, "degraded" readiness) once the
    # oldest unindexed change is older than this; readiness needs a live indexer unless false.
    stale_search_after_s: float = 120.0
    expect_indexer: bool = True
    # The indexer is woken by NOTIFY at commit; this is only its fallback poll interval.
    indexer_poll_s: float = 5.0
    # Indexer batches out in Meilisearch at once (each holds a database connection until its task
    # has succeeded); new commits are sent while earlier batches are still being processed, and
    # Meilisearch processes the queued ones together. 8 beat 3 and 2 at 20,000 cadres.
    indexer_depth: int = Field(default=8, ge=1, le=16)
    # "text": one readable line per request (development default); "json": one JSON object per line.
    log_format: Literal["auto", "text", "json"] = "auto"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> "Settings":
        if "*" in self.cors_origins:
            # Credentials are allowed cross-origin, so a wildcard would open the API to every site.
            raise ValueError("CADRE_CORS_ORIGINS 不能包含 *，请逐一列出允许的来源")
        if self.password_hash == "test-only-fast" and self.env != "test":
            raise ValueError("CADRE_PASSWORD_HASH 的快速档只能用于测试环境（CADRE_ENV=test）")
        if self.env == "production":
            if self.secret_key.get_secret_value() in PLACEHOLDER_SECRETS:
                raise ValueError("CADRE_SECRET_KEY 仍是默认值，生产环境必须设置真实密钥")
            if self.database_url is None:
                raise ValueError("生产环境必须设置 CADRE_DATABASE_URL")
            if self.audit_signing_key is None:
                raise ValueError("生产环境必须设置 CADRE_AUDIT_SIGNING_KEY（审计链检查点签名密钥，"
                                 "可用 `cadre audit keygen` 生成）")
            if not self.cookie_secure:
                raise ValueError("生产环境的会话 Cookie 必须带 Secure 标记（CADRE_COOKIE_SECURE 不能关闭）")
            master = self.meili_master_key.get_secret_value() if self.meili_master_key else None
            if master is not None and master in PLACEHOLDER_SECRETS:
                raise ValueError("CADRE_MEILI_MASTER_KEY 仍是默认值，生产环境必须设置真实密钥")
        return self

    @property
    def password_hash_profile(self) -> str:
        """The argon2id cost profile new password hashes use."""
        return self.password_hash or ("test-only-fast" if self.env == "test" else "standard")

    @property
    def supervisor_status_path(self) -> Path:
        """Where `cadre serve` writes the state of the processes it supervises."""
        return self.data_dir / "run" / "supervisor.json"

    @property
    def owner_database_url(self) -> str | None:
        """The DSN migrations and backups run with (the schema owner's, else the service's)."""
        return self.migration_database_url or self.database_url

    @property
    def audit_checkpoint_path(self) -> Path:
        """The append-only file of signed audit-chain checkpoints."""
        return self.audit_checkpoint_file or self.data_dir / "audit" / "checkpoints.jsonl"

    @property
    def library_index(self) -> str:
        """The live search index (the one derivation of its name: service, indexer and benches)."""
        return library_index_name(self.index_prefix)

    @property
    def attachments_dir(self) -> Path:
        """Directory of the content-addressed attachment store."""
        return self.data_dir / "attachments"


@lru_cache
def get_settings() -> Settings:
    """Settings of this process, read once."""
    return Settings()
