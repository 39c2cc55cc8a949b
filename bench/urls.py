"""The app's URLs plus /bench/floor/, a view that does nothing, behind the same middleware."""

from django.http import HttpResponse
from django.urls import include, path


def floor(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor), path("", include("config.urls"))]
