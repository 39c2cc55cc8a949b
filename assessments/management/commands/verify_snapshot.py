"""manage.py verify_snapshot: recompute the hashes of one revision, and write its signed text for sha256sum."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import verification
from assessments.models import Assessment


class Command(BaseCommand):
    help = (
        "Recompute the SHA-256 of an assessment revision's stored snapshots and of its live content, and "
        "optionally write the signed canonical text to a file (so that `sha256sum FILE` can be compared)."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument(
            "--canonical-out",
            type=Path,
            help="Write the exact bytes that were hashed (approved snapshot, else the submitted one) to this file.",
        )

    def handle(self, *args, assessment_id: int, canonical_out: Path | None, **options):
        assessment = Assessment.objects.select_related("project", "approved_snapshot").filter(pk=assessment_id).first()
        if assessment is None:
            raise CommandError(f"No assessment with id {assessment_id}.")
        check = verification.assessment_verify(assessment)
        self.stdout.write(f"{assessment} — {assessment.get_status_display().lower()}")
        self.stdout.write(f"live content      {check.live_sha256}")
        for label, part in (("submitted", check.submitted), ("approved", check.approved)):
            if part is None:
                self.stdout.write(f"{label:<17} none")
                continue
            state = "intact" if part.intact else f"ALTERED (its text hashes to {part.recomputed})"
            same = "matches the live content" if part.matches_live else "differs from the live content"
            self.stdout.write(f"{label:<17} {part.sha256}  {state}, {same}")
        self.stdout.write(f"approvals         {check.counting_approvals} of {check.required_approvals} counting")
        for approval in check.approvals:
            flag = "counts" if approval.counts else "outdated" if approval.outdated else "does not count"
            self.stdout.write(f"  {approval.approver} at {approval.created_at}: {approval.content_hash} ({flag})")
        for file in check.files:
            state = "intact" if file.intact else f"ALTERED ({file.recomputed})" if file.recomputed else "MISSING"
            self.stdout.write(f"evidence file     {file.sha256}  {state}: {', '.join(file.names)}")
        if canonical_out is not None:
            stored = assessment.approved_snapshot or assessment.snapshots.filter(sha256=assessment.content_hash).first()
            if stored is None:
                raise CommandError("This revision has never been submitted: there is no signed text yet.")
            canonical_out.write_bytes(stored.canonical.encode("utf-8"))
            self.stdout.write(f"wrote {canonical_out}; `sha256sum {canonical_out}` should print {stored.sha256}")
        if any(part is not None and not part.intact for part in (check.submitted, check.approved)):
            raise CommandError("A stored snapshot no longer matches its recorded hash.")
        if check.files_altered:
            raise CommandError("A stored evidence file is missing or no longer matches its recorded SHA-256.")
