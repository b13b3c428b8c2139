"""Rasa SDK custom actions: thin adapters from the tracker to bot/ services.

rasa_sdk discovers every non-abstract Action in this package's modules.
"""
