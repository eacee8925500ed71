"""Rapport: a platform for interpersonal psychotherapy (IPT) for depression."""
