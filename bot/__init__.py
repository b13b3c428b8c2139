"""The 5G customer-service bot's own logic.

`bot.nlu` runs inside the Rasa server and imports only what the server
environment has (rasa, opencc); everything else runs in the application
environment and never imports rasa.
"""
