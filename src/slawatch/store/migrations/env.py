"""Alembic environment: runs the migrations on the connection the store hands over.

The store opens the connection and the transaction itself and passes the
connection in ``config.attributes["connection"]``, so a migration commits or
rolls back with everything else it does; there is no ``alembic.ini``.
"""

from alembic import context

from slawatch.store.schema import metadata

context.configure(connection=context.config.attributes["connection"], target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
