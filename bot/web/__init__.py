"""The web front: the operator-website chat page (and, later, the agent desk)."""
