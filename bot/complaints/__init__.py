"""Complaints: the record a user files through the bot and its lifecycle.

`model` is plain Python (the rules), `services` is the one entry point the bot's
actions and the agent desk call, `store`/`orm`/`unit_of_work`/`ticket` are the
SQLAlchemy adapters, and `spool` keeps complaints safe while the database is down.
Nothing here imports rasa.
"""
