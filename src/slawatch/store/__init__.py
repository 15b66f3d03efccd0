"""The database: engine, migrations and schema; samples, flips, operator records and
closed periods. ``store.Store`` is the way in."""
