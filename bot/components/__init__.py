"""Custom NLU components of the Loket pipeline (bot/config.yml).

Rasa loads them from the repository root.
"""
