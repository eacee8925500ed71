"""The course of IPT through the API: course, sessions, inventory, timeline, formulation, goals."""

from ninja import Router

router = Router(tags=["course"])
