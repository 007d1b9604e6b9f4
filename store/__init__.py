"""Store (layer 2): the database, its models and Alembic migrations, and one repository a table. Imports
knowledge and config only."""
