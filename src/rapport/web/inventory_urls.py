"""Routes of the inventory pages, under /clients/<pk>/inventory/."""

urlpatterns: list = []
