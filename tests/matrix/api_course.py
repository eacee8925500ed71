"""Access-matrix rows for the course API routes (see tests/access_matrix.py)."""

ROUTES: list = []
