"""Rebuild an assessment's rows from snapshot content, then print its hash: run on another database.

`python -m tests.assessments.snapshot_rebuild content.json` with DATABASE_URL pointing at an empty
database (e.g. `sqlite://:memory:`) migrates it, then rebuilds the rows twice, inserting them in
content order and in reverse order (so ids and insertion order differ from the original and from each
other), and prints the canonical text and SHA-256 of each rebuild as JSON.
"""

import json
import sys
import uuid


def rebuild(content: dict, *, reverse: bool):
    from django.contrib.auth.models import User

    from assessments.models import Assessment, Project
    from hazards.models import Consequence, HazardScenario, HazardTemplate, Mitigation, RiskAcceptance

    def ordered(items):
        return list(reversed(items)) if reverse else list(items)

    def user(name):
        return None if name is None else User.objects.get_or_create(username=name)[0]

    context = content["assessment"]
    project = Project.objects.get_or_create(name="Rebuilt", defaults={"matrix": content["matrix"]})[0]
    assessment = Assessment.objects.create(
        project=project,
        lineage=uuid.UUID(context["lineage"]),
        revision=context["revision"],
        title=context["title"],
        matrix=content["matrix"],
        **{f: context[f] for f in ("model_name", "model_version", "deployment_channel", "user_population")},
        application_domain=context["application_domain"],
        scope=context["scope"],
    )
    scenarios = {}
    for data in ordered(content["scenarios"]):
        template = None
        if data["template"]:
            template = HazardTemplate.objects.get_or_create(
                key=data["template"],
                defaults={
                    "area": "other",
                    "title": "t",
                    "description": "d",
                    "default_likelihood": 1,
                    "default_severity": 1,
                },
            )[0]
        scenario = HazardScenario.objects.create(
            assessment=assessment,
            number=int(data["ref"].split("-")[1]),
            ref=data["ref"],
            title=data["title"],
            description=data["description"],
            category=data["category"],
            causes=data["causes"],
            affected_parties=data["affected_parties"],
            source_template=template,
            inherent_likelihood=data["inherent"]["likelihood"],
            inherent_severity=data["inherent"]["severity"],
            inherent_level=data["inherent"]["level"] or "",
            residual_likelihood=data["residual"]["likelihood"],
            residual_severity=data["residual"]["severity"],
            residual_level=data["residual"]["level"] or "",
            treatment=data["treatment"],
            owner=user(data["owner"]),
        )
        scenarios[data["ref"]] = scenario
        for consequence in ordered(data["consequences"]):
            Consequence.objects.create(scenario=scenario, **consequence)
        for acceptance in ordered(data["acceptances"]):
            RiskAcceptance.objects.create(
                scenario=scenario,
                accepted_by=user(acceptance["accepted_by"]),
                rationale=acceptance["rationale"],
                conditions=acceptance["conditions"],
                expires_on=acceptance["expires_on"],
            )
    for data in ordered(content["mitigations"]):
        mitigation = Mitigation.objects.create(
            assessment=assessment,
            number=int(data["ref"].split("-")[1]),
            ref=data["ref"],
            title=data["title"],
            description=data["description"],
            kind=data["kind"],
        )
        mitigation.scenarios.set([scenarios[ref] for ref in ordered(data["scenarios"])])
    return assessment


def main(path: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from assessments import snapshot

    call_command("migrate", verbosity=0)
    with open(path, encoding="utf-8") as handle:
        content = json.load(handle)
    results = []
    for reverse in (False, True):
        assessment = rebuild(content, reverse=reverse)
        canonical, sha256 = snapshot.build(assessment)
        results.append({"sha256": sha256, "canonical": canonical})
        assessment.delete()  # the lineage and revision are unique: make room for the next rebuild
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1])
