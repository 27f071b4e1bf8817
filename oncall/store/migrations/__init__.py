"""Alembic migrations of the oncall database (run through ``oncall.store.upgrade``)."""
