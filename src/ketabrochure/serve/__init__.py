"""`serve`: the HTTP server, live reload and previews, beside the watch loop (build/watch.py)."""
