"""REST API of exports: request one (202 with the job), poll its status, download the file when done."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from assessments import selectors as assessment_selectors
from assessments.errors import QueueUnavailable
from assessments.exports import download, selectors, service
from assessments.models import ExportJob, Via
from assessments.rest.fields import ModelSerializer, StringField
from assessments.rest.idempotency import idempotent


class ExportJobSerializer(ModelSerializer):
    expired = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "assessment",
            "format",
            "include_files",
            "status",
            "progress",
            "error",
            "filename",
            "content_hash",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "expired",
            "download_url",
        ]
        read_only_fields = fields

    def get_expired(self, job: ExportJob) -> bool:
        return selectors.is_expired(job)

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != ExportJob.State.DONE or selectors.is_expired(job):
            return None
        return reverse("export-download", args=[job.pk])


class ExportRequestSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(min_value=1)
    format = serializers.ChoiceField(choices=ExportJob.Format.choices)
    include_files = serializers.BooleanField(
        default=False,
        help_text="JSON only: a zip of the JSON (export.json) and every evidence file at attachments/<sha256>/<name>.",
    )


QUEUE_UNAVAILABLE = inline_serializer(
    "ExportQueueUnavailable",
    {"detail": StringField(), "code": StringField(), "job": ExportJobSerializer()},
)


@extend_schema_view(
    list=extend_schema(
        summary="Export jobs of your projects, newest first",
        parameters=[OpenApiParameter("assessment", int, description="Only this assessment's exports.")],
    ),
    retrieve=extend_schema(summary="One export job: status, progress and, when done, its download URL"),
)
class ExportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ExportJobSerializer

    def get_throttles(self):
        # Building an export costs seconds of a worker; requests for them have their own budget.
        if self.action == "create":
            self.throttle_scope = "exports"
            return [*super().get_throttles(), ScopedRateThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ExportJob.objects.none()
        queryset = selectors.export_queryset(user=self.request.user).order_by("-created_at", "-id")
        assessment = self.request.query_params.get("assessment")
        if assessment:
            if not assessment.isdigit():
                raise ValidationError({"assessment": ["Give the id of an assessment."]})
            queryset = queryset.filter(assessment_id=int(assessment))
        return queryset

    @extend_schema(
        summary="Request an export; it is built in the background",
        request=ExportRequestSerializer,
        responses={
            202: ExportJobSerializer,
            400: OpenApiResponse(description="Unknown format, or a PDF of a register beyond the PDF limit."),
            404: OpenApiResponse(description="No such assessment in your projects."),
            503: OpenApiResponse(
                QUEUE_UNAVAILABLE,
                description="The job queue is down. The job is recorded and will start by itself once the queue "
                "is back; retrying (with the same Idempotency-Key or none) returns the same job.",
            ),
        },
    )
    @idempotent(then="_queue")
    def create(self, request):
        payload = ExportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assessment = assessment_selectors.assessment_get(
            user=request.user, assessment_id=payload.validated_data["assessment"]
        )
        job = service.export_record(
            assessment_id=assessment.pk,
            by=request.user,
            format=payload.validated_data["format"],
            include_files=payload.validated_data["include_files"],
            via=Via.API,
        )
        return self._accepted(job)

    def _queue(self, request, recorded: Response) -> Response:
        """After the job's row committed: publish it, and answer with the job as it is then (or 503)."""
        job = ExportJob.objects.get(pk=recorded.data["id"])
        try:
            service.export_queue(job)
        except QueueUnavailable as exc:
            return Response(
                {"detail": str(exc), "code": exc.code, "job": ExportJobSerializer(exc.job).data},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": "60"},
            )
        job.refresh_from_db()  # an eager worker (the embedded default) has built it already
        return self._accepted(job)

    def _accepted(self, job: ExportJob) -> Response:
        location = reverse("export-detail", args=[job.pk])
        return Response(ExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

    @extend_schema(
        summary="Download the file of a finished export (always as an attachment)",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such export in your projects."),
            409: OpenApiResponse(description="The export is not done yet."),
            410: OpenApiResponse(description="The export expired and its file was removed."),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        try:
            job = selectors.export_get(user=request.user, job_id=int(pk))
        except ValueError:
            raise Http404("No such export.") from None
        try:
            return download.file_response(job)
        except download.NotDownloadable as exc:
            return Response({"detail": exc.message, "code": exc.code}, status=exc.status)
