"""The 5G customer-service bot's own logic, in the application environment.

Complaints, catalogue, FAQ, desk and web front; used by the action server (`actions`), the desk
and the CLI. It never imports rasa nor `rasa_server` (what runs inside the Rasa server).
"""
