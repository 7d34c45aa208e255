"""Custom actions of the Loket assistant, served by `rasa run actions --actions actions`.

One module per topic; one client module per external system (router_client.py).
"""
