"""Projects: the list with the create form, the project page, its members and its settings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assessments import permissions, selectors, services
from assessments.errors import InvalidInput, StaleVersion
from assessments.forms import (
    AssessmentForm,
    MatrixForm,
    MatrixPresetForm,
    MemberAddForm,
    ProjectCreateForm,
    ProjectSettingsForm,
    RoleForm,
)
from assessments.models import Membership, Role
from assessments.views.common import apply_errors, browser_view, caps_for, form_status, require, wants_fragment
from hazards import scoring

OWNERS_ONLY = "Only project owners can manage members."


@browser_view
def project_list(request):
    form = ProjectCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(by=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Project “{project.name}” created; you are its owner.")
            return redirect("project_detail", project.pk)
    projects = list(selectors.project_list(user=request.user))
    status = form_status(request) if request.method == "POST" else 200
    return render(request, "assessments/project_list.html", {"projects": projects, "form": form}, status=status)


def _project_context(request, project) -> dict:
    assessments = list(selectors.assessment_list(user=request.user, project=project))
    return {
        "project": project,
        "caps": caps_for(request.user, project),
        "my_role": permissions.role_in(request.user, project),
        "assessments": assessments,
        "level_counts": selectors.residual_level_counts(assessments=assessments),
        "memberships": list(selectors.membership_list(user=request.user, project=project)),
        "matrix_levels": scoring.levels(project.matrix),
        "role_choices": Role.choices,
    }


@browser_view
def project_detail(request, project_id: int):
    project = selectors.project_get(user=request.user, project_id=project_id)
    context = _project_context(request, project)
    context["member_form"] = MemberAddForm()
    return render(request, "assessments/project_detail.html", context)


@browser_view
def assessment_create(request, project_id: int):
    project = selectors.project_get(user=request.user, project_id=project_id)
    if not permissions.can_contribute(request.user, project):
        raise PermissionDenied("Only contributors and above can create assessments.")
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.assessment_create(project_id=project.pk, by=request.user, **data)
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Assessment “{assessment.title}” created.")
            return redirect("assessment_detail", assessment.pk)
    status = form_status(request) if request.method == "POST" else 200
    return render(request, "assessments/assessment_create.html", {"project": project, "form": form}, status=status)


# --- Members ---------------------------------------------------------------------------------------


def _members_fragment(request, project, *, member_form=None, status=200):
    context = _project_context(request, project)
    context["member_form"] = member_form or MemberAddForm()
    return render(request, "assessments/project_detail.html#members", context, status=status)


@require_POST
@browser_view
def member_add(request, project_id: int):
    project = selectors.project_get(user=request.user, project_id=project_id)
    if not permissions.can_manage(request.user, project):
        raise PermissionDenied("Only project owners can add members.")
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            membership = services.membership_add(
                project_id=project.pk,
                by=request.user,
                user=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{membership.user.get_username()} joined as {membership.get_role_display()}.")
            if wants_fragment(request):
                return _members_fragment(request, project)
            return redirect("project_detail", project.pk)
    if wants_fragment(request):
        return _members_fragment(request, project, member_form=form)
    context = {**_project_context(request, project), "member_form": form}
    return render(request, "assessments/project_detail.html", context, status=400)


def _membership(request, membership_id: int) -> Membership:
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id)
    # Scope first: a membership of someone else's project is a 404, like everything in it.
    selectors.project_get(user=request.user, project_id=membership.project_id)
    return membership


@require_POST
@browser_view
def member_change_role(request, membership_id: int):
    membership = _membership(request, membership_id)
    require(permissions.can_manage(request.user, membership.project_id), OWNERS_ONLY)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                membership_id=membership.pk,
                by=request.user,
                role=form.cleaned_data["role"],
                expected_version=form.cleaned_data["version"],
            )
        except InvalidInput as exc:
            messages.error(request, " ".join(" ".join(v) for v in exc.errors.values()))
        except StaleVersion:
            messages.error(request, "Someone changed this membership meanwhile; here is the current state.")
        else:
            messages.success(request, f"{membership.user.get_username()} is now {form.cleaned_data['role']}.")
    else:
        messages.error(request, "Choose a valid role.")
    project = selectors.project_get(user=request.user, project_id=membership.project_id)
    if wants_fragment(request):
        return _members_fragment(request, project)
    return redirect("project_detail", project.pk)


@require_POST
@browser_view
def member_remove(request, membership_id: int):
    membership = _membership(request, membership_id)
    project_id = membership.project_id
    require(permissions.can_manage(request.user, project_id), OWNERS_ONLY)
    try:
        services.membership_remove(membership_id=membership.pk, by=request.user)
    except InvalidInput as exc:
        messages.error(request, " ".join(" ".join(v) for v in exc.errors.values()))
    else:
        messages.success(request, f"{membership.user.get_username()} is no longer a member.")
    if membership.user_id == request.user.pk and not permissions.can_view(request.user, project_id):
        return redirect("project_list")
    project = selectors.project_get(user=request.user, project_id=project_id)
    if wants_fragment(request):
        return _members_fragment(request, project)
    return redirect("project_detail", project_id)


# --- Settings --------------------------------------------------------------------------------------


@browser_view
def project_settings(request, project_id: int):
    project = selectors.project_get(user=request.user, project_id=project_id)
    if not permissions.can_manage(request.user, project):
        raise PermissionDenied("Only project owners can change project settings.")
    initial = {field: getattr(project, field) for field in services.projects.PROJECT_FIELDS}
    settings_form = ProjectSettingsForm(initial={**initial, "version": project.version})
    preset_form = MatrixPresetForm(initial={"version": project.version, "matrix_preset": project.matrix.get("preset")})
    matrix_form = MatrixForm(matrix=project.matrix, initial={"version": project.version})
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        form = {
            "settings": ProjectSettingsForm(request.POST),
            "preset": MatrixPresetForm(request.POST),
            "matrix": MatrixForm(request.POST, matrix=project.matrix),
        }.get(which)
        if form is None:
            return redirect("project_settings", project.pk)
        if form.is_valid():
            changes = form.changes()
            if which == "matrix":
                changes = {"matrix": form.edited_matrix()}
            try:
                services.project_update(
                    project_id=project.pk, by=request.user, expected_version=form.cleaned_data["version"], **changes
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            except StaleVersion as exc:
                messages.error(
                    request,
                    f"Someone else changed the settings (now version {exc.current.version}) while you were editing. "
                    "Nothing was saved; the page shows the current settings.",
                )
                return redirect("project_settings", project.pk)
            else:
                messages.success(request, "Settings saved.")
                return redirect("project_settings", project.pk)
        status = 400
        if which == "settings":
            settings_form = form
        elif which == "preset":
            preset_form = form
        else:
            matrix_form = form
    context = {
        "project": project,
        "settings_form": settings_form,
        "preset_form": preset_form,
        "matrix_form": matrix_form,
        "matrix_levels": scoring.levels(project.matrix),
    }
    return render(request, "assessments/project_settings.html", context, status=status)
