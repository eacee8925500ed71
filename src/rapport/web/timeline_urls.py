"""Routes of the timeline pages, under /clients/<pk>/timeline/."""

urlpatterns: list = []
