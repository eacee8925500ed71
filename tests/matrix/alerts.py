"""Access-matrix rows for the alerts routes (see tests/access_matrix.py)."""

ROUTES = []
