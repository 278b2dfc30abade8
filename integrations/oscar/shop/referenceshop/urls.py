from django.apps import apps
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("oscarapi.urls")),
    path("returnsdesk/api/v1/", include("returnsdesk_oscar.urls")),
    # The customer's "My returns" page, before Oscar's own account URLs.
    path("accounts/returns/", include("returnsdesk_oscar.customer_urls")),
    path("", include(apps.get_app_config("oscar").urls[0])),
]
