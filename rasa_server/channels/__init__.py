"""Input channels loaded by the Rasa server through credentials.yml (server environment only)."""

from rasa_server.rasa_fixes import install

# Loaded with credentials.yml in every Rasa server process, before the first message.
install()
