"""What every browser view shares: sign-in, fragment-or-page, domain errors mapped once, capabilities."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.vary import vary_on_headers

from assessments import permissions, workflow
from assessments.errors import ContentFrozen, InvalidInput, InvalidTransition, StaleVersion


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request that swaps part of a page (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go back to: a same-site `next` field or the Referer, else the default."""
    for candidate in (request.POST.get("next"), request.GET.get("next"), request.headers.get("Referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return default


def refused(request: HttpRequest, message: str, *, back: str | None = None) -> HttpResponse:
    """Tell the user why nothing happened: a message in the page's message list, or after a redirect."""
    if wants_fragment(request):
        # htmx swaps only 2xx responses by default, so the refusal is a 200 aimed at the message list.
        response = render(request, "partials/message.html", {"level": "error", "text": message})
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "beforeend"
        return response
    messages.error(request, message)
    return redirect(back or safe_next(request, reverse("home")))


def browser_view(view: Callable) -> Callable:
    """Every browser view: signed in, `Vary: HX-Request`, and domain errors mapped to one response each.

    Views catch InvalidInput and StaleVersion themselves when they have a form to show them in; what
    reaches here is a refusal to explain (frozen content, a transition the state does not allow, a
    stale action without a form, or input errors of a form-less action). PermissionDenied and Http404
    pass through to Django's 403 and 404 handlers.
    """

    @wraps(view)
    @vary_on_headers("HX-Request")
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            if request.htmx:
                response = HttpResponse(status=204)
                current = request.htmx.current_url_abs_path or request.get_full_path()
                response["HX-Redirect"] = f"{reverse('login')}?{urlencode({'next': current})}"
                return response
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except (ContentFrozen, InvalidTransition) as exc:
            return refused(request, exc.message)
        except StaleVersion as exc:
            return refused(request, exc.message + " Reload to see the current version.")
        except InvalidInput as exc:
            return refused(request, " ".join(" ".join(v) for v in exc.errors.values()))

    return wrapper


def require(allowed: bool, message: str) -> None:
    """Refuse (403) what the user's role does not allow, before any form is shown or read."""
    if not allowed:
        raise PermissionDenied(message)


def apply_errors(form, exc: InvalidInput) -> None:
    """Show a service's field errors next to the fields of the form they came from."""
    for field, problems in exc.errors.items():
        target = field if field in form.fields else None
        for problem in problems:
            form.add_error(target, problem)


def form_status(request: HttpRequest) -> int:
    """Status of a re-rendered invalid form: 200 for htmx (it swaps only 2xx), 400 for a plain POST."""
    return 200 if wants_fragment(request) else 400


@dataclass(frozen=True)
class Caps:
    """What the current user may do with an assessment (or a project), for views and templates."""

    view: bool = False
    contribute: bool = False
    comment: bool = False
    review: bool = False
    approve: bool = False
    manage: bool = False
    edit_content: bool = False  # contributor and the assessment is editable
    track: bool = False  # contributor and mitigation progress may still change
    accept_risk: bool = False


def caps_for(user, project, assessment=None) -> Caps:
    contribute = permissions.can_contribute(user, project)
    status = assessment.status if assessment is not None else None
    editable = status is None or workflow.is_editable(status)
    return Caps(
        view=permissions.can_view(user, project),
        contribute=contribute,
        comment=permissions.can_comment(user, project),
        review=permissions.can_review(user, project),
        approve=permissions.can_approve(user, project),
        manage=permissions.can_manage(user, project),
        edit_content=contribute and editable,
        track=contribute and (status is None or status in workflow.TRACKING_STATUSES),
        accept_risk=permissions.can_accept_risk(user, project) and editable,
    )
