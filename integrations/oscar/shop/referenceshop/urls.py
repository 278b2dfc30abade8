from django.apps import apps
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("oscarapi.urls")),
    path("returnsdesk/api/v1/", include("returnsdesk_oscar.urls")),
    path("", include(apps.get_app_config("oscar").urls[0])),
]
