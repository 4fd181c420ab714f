"""Storage: SQLAlchemy tables, the Store, and Alembic migrations."""
