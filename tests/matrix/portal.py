"""Access-matrix rows for the portal routes (see tests/access_matrix.py)."""

ROUTES = []
