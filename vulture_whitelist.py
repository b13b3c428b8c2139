"""Names the dead-code check (vulture, `make lint`) must not report: frameworks use them by name.

Never imported or run; vulture reads each `_.name` below as a use of `name`. Decorated
callbacks (routes, validators, fixtures) and Rasa's naming rules are patterns in
pyproject.toml [tool.vulture] instead. Add a name here only in the group of the framework
that calls it.
"""

# ruff: noqa: B018

_ = object()

# pydantic: a model's configuration, and fields only filled from data or serialised to JSON by name
# (bot/settings.py, bot/catalog/schemas.py import rows, bot/desk/api/schemas.py responses and the
# bot/desk/statistics.py figures passed to them with **vars(...))
_.model_config
_.benefit_yuan
_.fee_yuan
_.token_type
_.category_label
_.unanswered
_.answered_within_deadline_rate
_.median_first_response_hours
_.median_resolution_hours
_.tracker_available
_.categories
_.regulatory_classes

# SQLAlchemy: a TypeDecorator's interface (bot/complaints/orm.py)
_.impl
_.cache_ok
_.process_bind_param
_.process_result_value

# Alembic: the revision variables of every migration (migrations/versions/)
_.down_revision
_.branch_labels
_.depends_on

# Rasa: the LockStore interface (rasa_server/locks.py), the graph components' `create` signature
# (rasa_server/nlu/), the socket.io channel's engine.io server hook (rasa_server/channels/webchat.py)
_.get_lock
_.save_lock
_.delete_lock
_.execution_context
_._engineio_server_class

# http.server request handlers of the local stand-ins (scripts/replicas.py, tests/)
_.do_GET
_.do_POST
_.log_message

# pytest: module marks and hooks
_.pytestmark
_.pytest_terminal_summary

# Other libraries' hooks set or overridden in tests: sqlite3 rows by name, Alembic's -x options,
# stopping uvicorn, wechatpy's random prefix (tests/server/test_wechat_crypto.py)
_.row_factory
_.cmd_opts
_.should_exit
_.get_random_string

# pika: connection parameters read by pika.BlockingConnection (bot/desk/broker.py)
_.blocked_connection_timeout
_.connection_attempts
_.socket_timeout
