"""Wiring (the top layer, with app.py): the `advisor` command line. Each command imports only what it runs."""
