"""Migrations upgrade an empty database, downgrade it, and upgrade it again, on both backends."""

from __future__ import annotations

import sqlalchemy as sa

from pricemon import db


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    engine = db.create_db_engine(database_url)
    db.downgrade(engine, "base")
    assert db.migration_status(engine).current is None
    assert "product" not in sa.inspect(engine).get_table_names()

    before = db.upgrade(engine)
    assert before.current is None and before.pending
    status = db.migration_status(engine)
    assert status.up_to_date and status.current == status.head
    assert {"product", "price_record", "check_run", "app_settings", "email_send"} <= set(
        sa.inspect(engine).get_table_names()
    )

    db.downgrade(engine, "base")
    assert db.migration_status(engine).current is None
    db.upgrade(engine)
    assert db.migration_status(engine).up_to_date
    engine.dispose()
