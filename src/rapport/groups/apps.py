from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "rapport.groups"
    label = "groups"
