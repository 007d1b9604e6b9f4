"""Storage: the database, its models and migrations, and one repository a table."""
