"""Writing many imported scenarios, consequences and mitigations at once, checked by the services' own rules.

Typing 2,000 rows in through one service call each costs ~100,000 queries (minutes); this checks every
object with the same `_clean` functions the services use, collects every problem, and only if there is
none inserts everything with a handful of bulk inserts, audit events included. The assessment row is
locked first, as every register write does, so refs are taken exactly once.
"""

from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from assessments import audit
from assessments.errors import InvalidInput
from assessments.models import Assessment, Via
from hazards.models import Consequence, HazardScenario, HazardTemplate, Mitigation
from hazards.services import consequences as consequence_rules
from hazards.services import mitigations as mitigation_rules
from hazards.services import scenarios as scenario_rules
from hazards.services.common import lock_for_content, raise_if, reject_unknown

BATCH = 1000


class RegisterBatch:
    """Collects checked objects for one assessment; `save()` writes them all."""

    def __init__(self, *, assessment_id: int, by: User, via: str = Via.WEB):
        self.assessment = lock_for_content(assessment_id, by)
        self.by, self.via = by, via
        self.matrix = self.assessment.matrix
        self.scenarios: list[HazardScenario] = []
        self.scenario_fields: list[list[str]] = []
        self.consequences: list[Consequence] = []
        self.mitigations: list[tuple[Mitigation, list[HazardScenario], list[str]]] = []
        # Scenarios linked to a mitigation after it was added: one created earlier in the import or one
        # already in the assessment (which then gets an update event and a new version).
        self.links: list[tuple[Mitigation, HazardScenario]] = []
        self.last_hazard = self.assessment.last_hazard_number
        self.last_mitigation = self.assessment.last_mitigation_number
        self.tickets = {
            (system, key): ref
            for system, key, ref in self.assessment.mitigations.exclude(external_key="").values_list(
                "external_system", "external_key", "ref"
            )
        }

    def _number(self, counter: str, wanted: int | None, prefix: str) -> int:
        last = getattr(self, counter)
        if wanted is None:
            number = last + 1
        elif wanted > last:
            number = wanted  # keeps the export's own ref; the counter only ever moves forward
        else:
            raise InvalidInput({"ref": [f"{prefix}-{wanted:03d} appears more than once, or out of order."]})
        setattr(self, counter, number)
        return number

    def add_scenario(self, fields: dict, *, number: int | None = None, template: HazardTemplate | None = None):
        fields = dict(fields)
        reject_unknown(fields, scenario_rules.SCENARIO_FIELDS)
        values = scenario_rules._clean(self.assessment, fields)
        number = self._number("last_hazard", number, "H")
        scenario = HazardScenario(
            assessment=self.assessment,
            number=number,
            ref=f"H-{number:03d}",
            created_by=self.by,
            source_template=template,
            **{"category": "other", "treatment": "mitigate", **values},
            **scenario_rules.derived_levels(self.matrix, values),
        )
        self.scenarios.append(scenario)
        self.scenario_fields.append(list(values))
        return scenario

    def add_consequence(self, scenario: HazardScenario, fields: dict) -> None:
        fields = dict(fields)
        reject_unknown(fields, consequence_rules.CONSEQUENCE_FIELDS)
        raise_if({f: ["This field is required."] for f in consequence_rules.CONSEQUENCE_FIELDS if f not in fields})
        values = consequence_rules._clean(self.assessment, fields)
        self.consequences.append(Consequence(scenario=scenario, **values))

    def add_mitigation(self, fields: dict, scenarios: list[HazardScenario], *, number: int | None = None) -> Mitigation:
        fields = dict(fields)
        reject_unknown(fields, mitigation_rules.MITIGATION_FIELDS)
        values = mitigation_rules._clean(self.assessment, fields, known_tickets=self.tickets)
        number = self._number("last_mitigation", number, "M")
        mitigation = Mitigation(
            assessment=self.assessment, number=number, ref=f"M-{number:03d}", created_by=self.by, **values
        )
        if values.get("external_key"):
            self.tickets[(values.get("external_system", ""), values["external_key"])] = mitigation.ref
        self.mitigations.append((mitigation, scenarios, list(values)))
        return mitigation

    def link(self, mitigation: Mitigation, scenario: HazardScenario) -> None:
        self.links.append((mitigation, scenario))

    def forget_since(self, mark: tuple) -> None:
        """Drop what was added after `mark` (a row that turned out to have a problem)."""
        scenarios, consequences, mitigations, links, last_hazard, last_mitigation, tickets = mark
        del self.scenarios[scenarios:], self.scenario_fields[scenarios:], self.consequences[consequences:]
        del self.mitigations[mitigations:], self.links[links:]
        self.last_hazard, self.last_mitigation, self.tickets = last_hazard, last_mitigation, tickets

    def mark(self) -> tuple:
        return (
            len(self.scenarios),
            len(self.consequences),
            len(self.mitigations),
            len(self.links),
            self.last_hazard,
            self.last_mitigation,
            dict(self.tickets),
        )

    def save(self) -> None:
        """Insert everything, with one audit event per object as the services write them."""
        assessment, project = self.assessment, self.assessment.project
        existing = {m.pk: m for m, _ in self.links if m.pk is not None}
        HazardScenario.objects.bulk_create(self.scenarios, batch_size=BATCH)
        Consequence.objects.bulk_create(self.consequences, batch_size=BATCH)
        Mitigation.objects.bulk_create([m for m, _, _ in self.mitigations], batch_size=BATCH)
        addressed: dict[int, list[HazardScenario]] = {}
        for mitigation, scenarios, _ in self.mitigations:
            addressed[mitigation.pk] = list(scenarios)
        added_to_existing: dict[int, list[str]] = {}
        for mitigation, scenario in self.links:
            if mitigation.pk in existing:
                added_to_existing.setdefault(mitigation.pk, []).append(scenario.ref)
            addressed.setdefault(mitigation.pk, []).append(scenario)
        link = Mitigation.scenarios.through
        before = self._existing_links(list(existing))
        link.objects.bulk_create(
            [link(mitigation_id=pk, hazardscenario_id=s.pk) for pk, scenarios in addressed.items() for s in scenarios],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        Assessment.objects.filter(pk=assessment.pk).update(
            last_hazard_number=self.last_hazard, last_mitigation_number=self.last_mitigation
        )
        events = []

        def event(action, obj, changes, object_ref=""):
            events.append(
                audit.build(
                    actor=self.by,
                    via=self.via,
                    action=action,
                    project=project,
                    assessment=assessment,
                    obj=obj,
                    object_ref=object_ref,
                    changes=changes,
                )
            )

        for scenario, fields in zip(self.scenarios, self.scenario_fields, strict=True):
            changes = audit.snapshot_fields(scenario, fields)
            if scenario.source_template is not None:
                changes["template"] = [None, scenario.source_template.key]
            event("hazard.created", scenario, changes)
        for consequence in self.consequences:
            event(
                "consequence.created",
                consequence,
                audit.snapshot_fields(consequence, consequence_rules.CONSEQUENCE_FIELDS),
                consequence.scenario.ref,
            )
        for mitigation, _, fields in self.mitigations:
            changes = audit.snapshot_fields(mitigation, fields)
            changes["scenarios"] = [None, sorted({s.ref for s in addressed[mitigation.pk]}, key=_ref_order)]
            event("mitigation.created", mitigation, changes)
        # updated_at moves with the version, so sync clients paging by updated_since see the new links.
        Mitigation.objects.filter(pk__in=list(added_to_existing)).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        for pk, refs in added_to_existing.items():
            previous = before.get(pk, [])
            event(
                "mitigation.updated",
                existing[pk],
                {"scenarios": [previous, sorted({*previous, *refs}, key=_ref_order)]},
            )
        # With their webhook deliveries (the outbox), as every other write does through audit.record.
        audit.record_many(events, batch_size=BATCH)

    @staticmethod
    def _existing_links(mitigation_ids: list[int]) -> dict[int, list[str]]:
        before: dict[int, list[str]] = {}
        if mitigation_ids:
            rows = Mitigation.scenarios.through.objects.filter(mitigation_id__in=mitigation_ids)
            for mitigation_id, ref in rows.order_by("hazardscenario__number").values_list(
                "mitigation_id", "hazardscenario__ref"
            ):
                before.setdefault(mitigation_id, []).append(ref)
        return before


def _ref_order(ref: str) -> tuple[int, str]:
    return (len(ref), ref)
