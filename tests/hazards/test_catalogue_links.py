"""A suggested mitigation already in the draft is linked with a new version per link, as any other write."""

from assessments.models import AuditEvent
from hazards import services
from hazards.models import HazardTemplate, Mitigation


def test_each_template_linking_an_existing_mitigation_gives_it_one_new_version(catalogue, assessment, contributor):
    title = HazardTemplate.objects.get(key="APP-01").mitigations[0]["title"]
    services.hazards_from_templates(assessment_id=assessment.pk, template_keys=["APP-01"], by=contributor)
    mitigation = Mitigation.objects.get(title=title)
    assert mitigation.version == 1
    for key in ("APP-02", "APP-03"):
        template = HazardTemplate.objects.get(key=key)
        template.mitigations = [{"kind": "eliminate_by_design", "title": title, "description": ""}]
        template.save()

    services.hazards_from_templates(assessment_id=assessment.pk, template_keys=["APP-02", "APP-03"], by=contributor)

    fresh = Mitigation.objects.get(pk=mitigation.pk)
    assert fresh.version == 3
    assert fresh.updated_at > mitigation.updated_at
    updates = AuditEvent.objects.filter(action="mitigation.updated", object_id=mitigation.pk).order_by("id")
    assert [e.changes["scenarios"] for e in updates] == [
        [["H-001"], ["H-001", "H-002"]],
        [["H-001", "H-002"], ["H-001", "H-002", "H-003"]],
    ]
