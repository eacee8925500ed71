from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "rapport.messaging"
    label = "messaging"

    def ready(self) -> None:
        # What a client does reaches their clinicians through the audit trail every write keeps.
        from rapport.messaging import access, my_data, notices  # noqa: F401 - they register themselves

        notices.connect()
