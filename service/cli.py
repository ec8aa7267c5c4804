"""The `cadre` administration command."""

import argparse
import asyncio
import getpass
import importlib.util
import logging
import sys
from contextlib import ExitStack
from pathlib import Path

from service.audit import cli as audit_cli
from service.backup import cli as backup_cli
from service.config import Settings, get_settings
from service.logging_setup import configure_logging


def _need_db(settings: Settings, stack: ExitStack) -> Settings:
    """Settings with a database: the configured one, or the embedded one (adopted if running)."""
    if settings.database_url:
        return settings
    from service.runtime.postgres import EmbeddedPostgres

    pg = stack.enter_context(EmbeddedPostgres(settings.data_dir / "pg", adopt=True))
    return settings.model_copy(update={"database_url": pg.service_dsn,
                                       "migration_database_url": pg.owner_dsn})


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply migrations to head."""
    from service.migrate import upgrade_head

    with ExitStack() as stack:
        s = _need_db(settings, stack)
        assert s.owner_database_url
        upgrade_head(s.owner_database_url)
    print("数据库结构已更新到最新版本")
    return 0


async def _create_user(url: str, args: argparse.Namespace, password: str) -> None:
    from schemas.auth import ScopeIn, UserCreate
    from service.auth import service as auth_service
    from service.db import create_pool
    from service.principal import SYSTEM

    pool = await create_pool(url, 1, 2)
    try:
        scopes = [ScopeIn(unit_id=u) for u in args.scope or []]
        user = await auth_service.create_user(pool, SYSTEM, body=UserCreate(
            username=args.username, display_name=args.display_name or args.username,
            password=password, role=args.role, scopes=scopes), key=None)
        print(f"已创建用户 {user.username}（{user.role.value}），id={user.id}")
    finally:
        await pool.close()


def cmd_user_create(args: argparse.Namespace, settings: Settings) -> int:
    """Create a user."""
    password = args.password or getpass.getpass("密码: ")
    with ExitStack() as stack:
        s = _need_db(settings, stack)
        assert s.database_url
        asyncio.run(_create_user(s.database_url, args, password))
    return 0


def _demo_missing() -> bool:
    """The demo generator is a development tool left out of the production image (.dockerignore)."""
    if importlib.util.find_spec("service.demo") is not None:
        return False
    print("演示数据工具不在生产镜像中：请在源码检出中运行 `cadre demo`", file=sys.stderr)
    return True


async def _load_demo(url: str, cadres: int, seed: int) -> None:
    from service.db import create_pool
    from service.demo import load_demo

    pool = await create_pool(url, 1, 2)
    try:
        async with pool.acquire() as conn:
            summary = await load_demo(conn, cadres=cadres, seed=seed)
        print(f"演示数据已载入：{summary}")
    finally:
        await pool.close()


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Load the deterministic demo data set into an empty database."""
    if _demo_missing():
        return 2
    from service.migrate import upgrade_head

    with ExitStack() as stack:
        s = _need_db(settings, stack)
        assert s.owner_database_url
        upgrade_head(s.owner_database_url)
        asyncio.run(_load_demo(s.owner_database_url, args.cadres, args.seed))
    return 0


def cmd_search_keys(args: argparse.Namespace, settings: Settings) -> int:
    """Create (or reuse) the search-only and indexer keys with the master key, and print them."""
    from service.runtime.meili import provision_keys

    if not settings.meili_url or not settings.meili_master_key:
        print("需要设置 CADRE_MEILI_URL 和 CADRE_MEILI_MASTER_KEY", file=sys.stderr)
        return 2
    search_key, index_key = provision_keys(settings.meili_url,
                                           settings.meili_master_key.get_secret_value(),
                                           settings.index_prefix)
    print(f"CADRE_MEILI_SEARCH_KEY={search_key}\nCADRE_MEILI_INDEX_KEY={index_key}")
    return 0


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    """Rebuild the search index from PostgreSQL (starting local services where not configured)."""
    from indexer.reindex import reindex
    from service.runtime.stack import local_stack

    with ExitStack() as stack, local_stack(settings, stack) as full:
        print(f"已重建索引：{reindex(full, progress=True)} 个文档")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Run the service (and, where not configured, embedded PostgreSQL, Meilisearch, indexer)."""
    from service.runtime.serve import serve

    if args.demo and _demo_missing():
        return 2
    return serve(settings, demo=args.demo, demo_cadres=args.cadres, with_indexer=not args.no_indexer)


def cmd_export_dossiers(args: argparse.Namespace, settings: Settings) -> int:
    """Export dossiers into one zip as a named user, with a progress bar (same work as a batch job)."""
    from service.exports.cli import export_dossiers

    if bool(args.cadre_id) == (args.shortlist is not None) or (args.shortlist and not args.version):
        print("请用 --cadre-id（可多次）指定干部，或用 --shortlist 与 --version 指定名单", file=sys.stderr)
        return 2
    with ExitStack() as stack:
        s = _need_db(settings, stack)
        return asyncio.run(export_dossiers(s, args))


def _with_db(args: argparse.Namespace, settings: Settings, module: str, name: str) -> int:
    """Run an async command function (module.name) against the configured or embedded database."""
    import importlib

    with ExitStack() as stack:
        s = _need_db(settings, stack)
        code: int = asyncio.run(getattr(importlib.import_module(module), name)(s, args))
        return code


def cmd_lrmx_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import .lrmx files (one, or a zip): preview, and with --apply write all or nothing."""
    return _with_db(args, settings, "service.lrmx.cli", "import_files")


def cmd_lrmx_export(args: argparse.Namespace, settings: Settings) -> int:
    """Export cadres as .lrmx (a zip for several)."""
    if not args.cadre_id and args.shortlist is None and args.promotion is None:
        print("请用 --cadre-id（可多次）、--shortlist 与 --version，或 --promotion 指定干部", file=sys.stderr)
        return 2
    return _with_db(args, settings, "service.lrmx.cli", "export_files")


def cmd_roster_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a filled roster template: preview, and with --apply write all or nothing."""
    return _with_db(args, settings, "service.rosters.cli", "import_roster")


def cmd_roster_export(args: argparse.Namespace, settings: Settings) -> int:
    """Export the roster of the cadres in scope."""
    return _with_db(args, settings, "service.rosters.cli", "export_roster")


def _formats_parsers(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    lrmx = sub.add_parser("lrmx", help="任免审批表（LRMX）导入导出").add_subparsers(
        dest="lrmx_command", required=True)
    imp = lrmx.add_parser("import", help="导入 .lrmx 或包含多份 .lrmx 的 zip（先预览，加 --apply 写入）")
    imp.add_argument("path", type=Path)
    imp.add_argument("--as", dest="as_user", required=True, help="以该干部工作人员身份导入并记入审计")
    imp.add_argument("--unit-id", type=int, help="新干部的默认单位 id")
    imp.add_argument("--tier", choices=["city_managed", "district_managed"], help="新干部的管理类别")
    imp.add_argument("--apply", action="store_true", help="无错误时全部写入（否则只预览）")
    imp.add_argument("--report", type=Path, help="把逐文件逐字段报告写入该 JSON 文件")
    imp.set_defaults(func=cmd_lrmx_import)
    exp = lrmx.add_parser("export", help="导出 .lrmx（多人为 zip）")
    exp.add_argument("--cadre-id", type=int, action="append", default=[], help="干部 id（可多次）")
    exp.add_argument("--shortlist", type=int, help="候选人名单（岗位）id")
    exp.add_argument("--version", type=int, help="候选人名单版本")
    exp.add_argument("--promotion", type=int, help="选任记录 id（拟任、拟免职务和任免理由取自该记录）")
    exp.add_argument("--as", dest="as_user", required=True)
    exp.add_argument("--out", type=Path, required=True)
    exp.set_defaults(func=cmd_lrmx_export)
    roster = sub.add_parser("roster", help="花名册（Excel）导入导出").add_subparsers(
        dest="roster_command", required=True)
    rimp = roster.add_parser("import", help="按身份证号导入花名册（先预览，加 --apply 写入）")
    rimp.add_argument("path", type=Path)
    rimp.add_argument("--as", dest="as_user", required=True)
    rimp.add_argument("--apply", action="store_true")
    rimp.set_defaults(func=cmd_roster_import)
    rexp = roster.add_parser("export", help="导出管理范围内干部的花名册")
    rexp.add_argument("--as", dest="as_user", required=True)
    rexp.add_argument("--out", type=Path, required=True)
    rexp.add_argument("--unit-id", type=int)
    rexp.add_argument("--tier", choices=["city_managed", "district_managed"])
    rexp.add_argument("--columns", help="列（逗号分隔），如 name,gender,birth_date,post,national_id")
    rexp.add_argument("--per-unit", action="store_true", help="每个单位一张工作表")
    rexp.set_defaults(func=cmd_roster_export)


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    parser = argparse.ArgumentParser(prog="cadre", description="干部实绩档案与选任证据库 管理命令")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="应用数据库迁移").set_defaults(func=cmd_migrate)
    user = sub.add_parser("user", help="用户管理").add_subparsers(dest="user_command", required=True)
    create = user.add_parser("create", help="创建用户")
    create.add_argument("username")
    create.add_argument("--role", required=True,
                        choices=["admin", "officer", "researcher", "auditor", "leader"])
    create.add_argument("--display-name")
    create.add_argument("--password", help="省略时交互输入")
    create.add_argument("--scope", type=int, action="append", help="授权单位 id（可多次）")
    create.set_defaults(func=cmd_user_create)
    demo = sub.add_parser("demo", help="载入演示数据")
    demo.add_argument("--cadres", type=int, default=200)
    demo.add_argument("--seed", type=int, default=20241)
    demo.set_defaults(func=cmd_demo)
    audit_cli.add_commands(sub)
    backup_cli.add_commands(sub)
    sub.add_parser("search-keys", help="用主密钥创建检索与索引专用密钥").set_defaults(
        func=cmd_search_keys)
    sub.add_parser("reindex", help="从数据库重建检索索引").set_defaults(func=cmd_reindex)
    export = sub.add_parser("export", help="导出 PDF").add_subparsers(dest="export_command",
                                                                   required=True)
    dossiers = export.add_parser("dossiers", help="把多名干部的档案 PDF 导出为一个 zip")
    dossiers.add_argument("--cadre-id", type=int, action="append", default=[], help="干部 id（可多次）")
    dossiers.add_argument("--shortlist", type=int, help="候选人名单 id")
    dossiers.add_argument("--version", type=int, help="候选人名单版本")
    dossiers.add_argument("--as", dest="as_user", required=True, help="以该用户身份导出并记入审计")
    dossiers.add_argument("--out", type=Path, required=True, help="zip 文件路径")
    dossiers.set_defaults(func=cmd_export_dossiers)
    _formats_parsers(sub)
    serve = sub.add_parser("serve", help="启动服务")
    serve.add_argument("--demo", action="store_true", help="数据库为空时载入演示数据")
    serve.add_argument("--cadres", type=int, default=200)
    serve.add_argument("--no-indexer", action="store_true")
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `cadre` command."""
    configure_logging(logging.INFO)
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args, get_settings())
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
