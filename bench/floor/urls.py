"""The floor's one URL: a view that returns {"ok": true} and reads nothing."""

from django.http import JsonResponse
from django.urls import path


def ok(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("", ok)]
