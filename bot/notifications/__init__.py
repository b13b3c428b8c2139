"""Notifications to support staff: complaint events in, chat webhook messages out, through an outbox.

    messages   the words of a notification and the body each webhook understands
    publisher  turns a transaction's new audit events into outbox rows (a unit of work's publisher)
    outbox     the outbox table's delivery: retries with backoff, leases shared by several workers
    orm        the outbox table

The bot's actions (filing complaints) and the desk (the overdue sweep, the worker) both use
it, so it imports neither. Nothing here imports rasa.
"""
