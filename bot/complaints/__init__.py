"""Complaints: the record a user files through the bot and its lifecycle.

`model` is plain Python (the rules), `services` is the one entry point for changes and
`views` the one read side, both called by the bot's actions and the agent desk;
`store`/`orm`/`unit_of_work`/`ticket` are the SQLAlchemy adapters, `spool` keeps
complaints safe while the database is down, and `redact` masks numbers in free text.
Nothing here imports rasa.
"""
