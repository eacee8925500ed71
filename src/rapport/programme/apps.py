from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "rapport.programme"
    label = "programme"

    def ready(self) -> None:
        from rapport.programme import summaries

        summaries.connect()
