"""Access-matrix rows for the timeline routes (see tests/access_matrix.py)."""

ROUTES: list = []
