from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "rapport.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from rapport.scheduling import my_data  # noqa: F401 - registers its sections of the client's copy
