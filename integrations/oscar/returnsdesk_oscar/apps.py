from django.apps import AppConfig


class ReturnsDeskOscarConfig(AppConfig):
    name = "returnsdesk_oscar"
    label = "returnsdesk_oscar"
    verbose_name = "Returns desk"
    default_auto_field = "django.db.models.BigAutoField"
