"""sala serve: the HTTP service (see docs/server.md). Run with `python3 -m sala.server serve`."""
