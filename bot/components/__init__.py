"""Custom NLU components of the Loket pipeline (bot/config.yml), loaded by Rasa from the repo root."""
