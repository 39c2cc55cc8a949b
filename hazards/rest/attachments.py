"""API shapes of evidence attachments: the attachment, an upload (multipart) and a link (JSON), list filters."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.rest import representations
from assessments.rest.fields import MAX_ID, IdField, ModelSerializer, StringField, UsernameField, VisibleObjectField
from hazards import selectors
from hazards.attachments import limits
from hazards.models import Attachment, AttachmentKind


def fetch_hazard(*, user, pk):
    return selectors.hazard_get(user=user, hazard_id=pk)


def fetch_mitigation(*, user, pk):
    return selectors.mitigation_get(user=user, mitigation_id=pk)


@extend_schema_field(OpenApiTypes.INT)
class FormObjectField(VisibleObjectField):
    """A visible object's id, also as the digits a multipart form sends."""

    def to_internal_value(self, data):
        if isinstance(data, str) and data.isascii() and data.isdigit() and len(data) <= 19 and int(data) <= MAX_ID:
            data = int(data)
        return super().to_internal_value(data)


class AttachmentSerializer(ModelSerializer):
    hazard = serializers.IntegerField(source="scenario_id", read_only=True, allow_null=True)
    hazard_ref = StringField(source="scenario.ref", read_only=True, allow_null=True, default=None)
    mitigation = serializers.IntegerField(source="mitigation_id", read_only=True, allow_null=True)
    mitigation_ref = StringField(source="mitigation.ref", read_only=True, allow_null=True, default=None)
    project = serializers.IntegerField(source="assessment.project_id", read_only=True)
    url = serializers.SerializerMethodField()
    file_type = serializers.SerializerMethodField()
    content_type = serializers.SerializerMethodField()
    size = serializers.IntegerField(read_only=True, allow_null=True, help_text="Bytes; null for a link.")
    sha256 = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    created_by = UsernameField(read_only=True)

    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "name",
            "url",
            "file_type",
            "content_type",
            "size",
            "sha256",
            "download_url",
            "hazard",
            "hazard_ref",
            "mitigation",
            "mitigation_ref",
            "assessment",
            "project",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True, "description": "A link's address."})
    def get_url(self, attachment):
        return attachment.url if attachment.kind == AttachmentKind.LINK else None

    @extend_schema_field(
        {
            "type": "string",
            "nullable": True,
            "enum": [*limits.TYPES, None],
            "description": "What a file's bytes were recognised as.",
        }
    )
    def get_file_type(self, attachment):
        return attachment.file_type if attachment.kind == AttachmentKind.FILE else None

    @extend_schema_field({"type": "string", "nullable": True, "description": "The Content-Type of a download."})
    def get_content_type(self, attachment):
        return attachment.content_type if attachment.kind == AttachmentKind.FILE else None

    @extend_schema_field(
        {"type": "string", "nullable": True, "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 of a file's bytes."}
    )
    def get_sha256(self, attachment):
        return attachment.sha256 if attachment.kind == AttachmentKind.FILE else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_download_url(self, attachment):
        if attachment.kind != AttachmentKind.FILE:
            return None
        return reverse("attachment-download", args=[attachment.pk])


class _TargetSerializer(serializers.Serializer):
    hazard = FormObjectField(fetch=fetch_hazard, label_text="hazard", required=False)
    mitigation = FormObjectField(fetch=fetch_mitigation, label_text="mitigation", required=False)

    def validate(self, attrs):
        if ("hazard" in attrs) == ("mitigation" in attrs):
            raise serializers.ValidationError("Give exactly one of hazard and mitigation.")
        return attrs


class AttachmentUploadSerializer(_TargetSerializer):
    file = serializers.FileField(
        allow_empty_file=False,
        use_url=False,
        help_text="The evidence file. Its type is recognised from its bytes and must match its name's extension.",
    )

    def validate_file(self, upload):
        if upload.size is not None and upload.size > limits.max_bytes():
            raise serializers.ValidationError(limits.too_large_message(upload.size))
        return upload


class AttachmentLinkSerializer(_TargetSerializer):
    url = StringField(max_length=limits.URL_MAX, help_text="An http:// or https:// address.")
    title = StringField(max_length=limits.NAME_MAX, required=False, allow_blank=True)


class AttachmentFilterSerializer(serializers.Serializer):
    project = IdField(required=False)
    assessment = IdField(required=False)
    hazard = IdField(required=False)
    mitigation = IdField(required=False)
    kind = serializers.ChoiceField(choices=AttachmentKind.choices, required=False)


def _load(pk):
    return Attachment.objects.select_related("assessment", "scenario", "mitigation", "created_by").filter(pk=pk).first()


representations.register(Attachment, AttachmentSerializer, load=_load)
