"""The app's URLs plus the benchmarks' floors: /bench/floor/, a view that does nothing, behind the same middleware,
and /bench/api-floor/, a DRF view with the API's token authentication, permissions and throttles and no work."""

from django.http import HttpResponse
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView


def floor(request):
    return HttpResponse(b"ok", content_type="text/plain")


class ApiFloor(APIView):
    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("bench/floor/", floor),
    path("bench/api-floor/", ApiFloor.as_view()),
    path("", include("config.urls")),
]
