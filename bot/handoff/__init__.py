"""Live hand-off: a person joins the user's conversation, then the bot takes over again.

The domain (model.py), its tables (orm.py), the store and unit of work, and the services the
actions (request, rating) and the desk (presence, queue, accept, messages, end) call. Nothing here
imports rasa or bot.desk: the action server uses it too.
"""
