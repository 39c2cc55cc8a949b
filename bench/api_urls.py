"""The app's URLs plus the benchmark's floor: a DRF view that authenticates the token and returns a constant."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as app_urlpatterns


class Floor(APIView):
    """Same middleware, token authentication, permission and throttle classes as every API view; no work."""

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [*app_urlpatterns, path("bench/floor/", Floor.as_view())]
