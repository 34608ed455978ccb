"""Many processes opening a fresh PostgreSQL warehouse at once (the first night of districts sharing one
database, on several workers) migrate it once, without tripping over each other."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import create_engine, inspect, text

from hub.warehouse import Warehouse


def test_concurrent_first_opens_migrate_once(postgres_url: str) -> None:
    def open_and_close(_: int) -> str:
        house = Warehouse(postgres_url)
        house.dispose()
        return "ok"

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(open_and_close, range(4))) == ["ok"] * 4

    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()
    assert versions == 1
    assert "person" in inspect(engine).get_table_names()
    engine.dispose()
