from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "rapport.intake"
    label = "intake"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from rapport.intake.team import remember_at_sign_in

        user_logged_in.connect(remember_at_sign_in, dispatch_uid="intake_menu")
