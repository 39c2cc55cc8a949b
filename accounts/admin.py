"""Django admin of the accounts app: who signed in through the provider, mapped roles, and TOTP devices.

django-otp's own device admin shows each key as a QR code, which would let any staff member copy anyone's
second factor; it is replaced by a list without keys, where a device can only be deleted (the way back in
for someone who lost their phone: they enrol again at their next sign-in, staff are made to).
"""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import GroupRoleGrant, OidcIdentity


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OidcIdentity)
class OidcIdentityAdmin(ReadOnly):
    list_display = ["user", "issuer", "subject", "created_at", "last_login_at"]
    list_filter = ["issuer"]
    search_fields = ["user__username", "user__email", "subject"]


@admin.register(GroupRoleGrant)
class GroupRoleGrantAdmin(ReadOnly):
    list_display = ["membership", "group", "created_at"]
    list_filter = ["group"]
    search_fields = ["membership__user__username", "membership__project__name", "group"]


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnly):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__email"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
