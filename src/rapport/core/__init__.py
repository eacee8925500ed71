"""Rapport's clinical core: instruments as data, scoring, risk levels and change over a course.

Pure Python, no Django: the clinic apps call it; it never calls them.
"""
