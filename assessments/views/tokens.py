"""API tokens page: create one (its secret is shown once, on this response only), list them, revoke one."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assessments import sync_selectors
from assessments.errors import InvalidInput
from assessments.integration_forms import TokenCreateForm
from assessments.services import tokens
from assessments.views.common import apply_errors, browser_view, form_status


@never_cache
@browser_view
def token_list(request):
    form = TokenCreateForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = tokens.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["read_only"],
                expires_at=form.expires_at(),
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            # Rendered, not redirected: the secret exists only in this response and is never stored.
            created = {"token": token, "raw": raw}
            form = TokenCreateForm()
    now = timezone.now()
    token_rows = list(sync_selectors.token_list(user=request.user))
    for token in token_rows:
        token.state = (
            "revoked" if token.revoked_at else "expired" if token.expires_at and token.expires_at <= now else "active"
        )
    context = {"form": form, "created": created, "tokens": token_rows}
    status = form_status(request) if request.method == "POST" and created is None else 200
    return render(request, "assessments/tokens/list.html", context, status=status)


@require_POST
@browser_view
def token_revoke(request, token_id: int):
    token = sync_selectors.token_get(user=request.user, pk=token_id)
    tokens.token_revoke(token_id=token.pk, by=request.user)
    messages.success(request, f"Token “{token.name}” revoked; clients using it are refused from now on.")
    return redirect("api_tokens")
