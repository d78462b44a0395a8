"""The web console and REST API: the same service seen through HTTP.

``app.create_app`` builds the ASGI application (the API under ``/api/v1``,
the console beside it); ``server`` runs it with uvicorn. The routes call the
library functions the command line calls, so no rule lives in two places.
"""
