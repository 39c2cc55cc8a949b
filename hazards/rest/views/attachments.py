"""API: evidence files (multipart upload) and links (JSON) on hazards and mitigations, and their downloads."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser

from assessments import permissions
from assessments.errors import InvalidInput
from assessments.rest import conditional
from assessments.rest.idempotency import idempotent
from assessments.rest.viewsets import VIA, ApiViewSet, ListMixin, RetrieveMixin
from hazards import services
from hazards.attachments import downloads, limits
from hazards.attachments import selectors as attachment_selectors
from hazards.models import Attachment
from hazards.rest.attachments import (
    AttachmentFilterSerializer,
    AttachmentLinkSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
)

CONTRIBUTORS_ONLY = "Only contributors, reviewers, approvers and owners can change evidence."


def _target_ids(data: dict) -> dict:
    if "hazard" in data:
        return {"hazard_id": data["hazard"].pk}
    return {"mitigation_id": data["mitigation"].pk}


@extend_schema_view(
    list=extend_schema(summary="Evidence files and links in your projects", parameters=[AttachmentFilterSerializer]),
    retrieve=extend_schema(summary="An evidence file or link"),
)
class AttachmentViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    queryset = Attachment.objects.none()
    serializer_class = AttachmentSerializer
    filter_serializer_class = AttachmentFilterSerializer
    parser_classes = [JSONParser, MultiPartParser]

    def fetch(self, pk):
        return attachment_selectors.attachment_get(user=self.request.user, attachment_id=pk)

    def list_queryset(self, filters):
        return attachment_selectors.attachment_sync_list(
            user=self.request.user,
            project_id=filters.get("project"),
            assessment_id=filters.get("assessment"),
            hazard_id=filters.get("hazard"),
            mitigation_id=filters.get("mitigation"),
            kind=filters.get("kind"),
        )

    @extend_schema(
        summary="Attach evidence to a hazard or a mitigation: a file (multipart/form-data) or a link (JSON)",
        request={"multipart/form-data": AttachmentUploadSerializer, "application/json": AttachmentLinkSerializer},
    )
    def create(self, request):
        too_large = limits.declared_too_large(request)
        if too_large:
            # Refused before the body is parsed (the idempotency check reads it).
            raise InvalidInput({"file": [too_large]})
        return self._create(request)

    create.idempotent = True  # the schema documents Idempotency-Key from this flag

    @idempotent
    def _create(self, request):
        if request.content_type.startswith("multipart/form-data"):
            data = self.validated(AttachmentUploadSerializer)
        else:
            data = self.validated(AttachmentLinkSerializer)
        target = data.get("hazard") or data.get("mitigation")
        self.require(permissions.can_contribute, target.assessment.project, CONTRIBUTORS_ONLY)
        if "file" in data:
            attachment = services.attachment_upload(by=request.user, upload=data["file"], via=VIA, **_target_ids(data))
        else:
            attachment = services.attachment_link(
                by=request.user, url=data["url"], title=data.get("title", ""), via=VIA, **_target_ids(data)
            )
        return self.object_response(self.current(attachment.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="Remove an evidence file or link")
    def destroy(self, request, pk=None):
        attachment = self.fetch(pk)
        self.require(permissions.can_contribute, attachment.assessment.project, CONTRIBUTORS_ONLY)
        services.attachment_delete(
            attachment_id=attachment.pk,
            by=request.user,
            expected_version=conditional.expected_version(request, attachment),
            via=VIA,
        )
        return self.no_content()

    @extend_schema(
        summary="Download an evidence file (always as an attachment; 404 for a link)",
        responses={
            (200, media_type): OpenApiResponse(
                OpenApiTypes.ANY if media_type == "application/json" else OpenApiTypes.BINARY,
                description="The file's bytes, as an attachment, in the type recognised at upload; its SHA-256 in "
                "X-Attachment-SHA256.",
            )
            for media_type in limits.download_media_types()
        },
    )
    @action(detail=True, methods=["get"], url_path="download")
    def download(self, request, pk=None):
        attachment = self.fetch(pk)
        if attachment.kind != "file":
            raise Http404("A link has no file to download.")
        response = downloads.file_response(attachment)
        response["ETag"] = conditional.etag_for(attachment)
        return response
