"""Input channels loaded by the Rasa server through credentials.yml (server environment only)."""
