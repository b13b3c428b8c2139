"""Custom NLU components loaded by the Rasa server (server environment only)."""
