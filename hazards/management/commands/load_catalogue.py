"""manage.py load_catalogue: create or update the hazard templates from the catalogue file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hazards import services
from hazards.catalogue.loader import DEFAULT_PATH, CatalogueError


class Command(BaseCommand):
    help = "Load the code-synthesis hazard catalogue; safe to re-run (templates are updated in place)."

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=DEFAULT_PATH, help="Catalogue YAML file.")

    def handle(self, *args, path: Path, **options):
        try:
            counts = services.catalogue_load(path=path)
        except CatalogueError as exc:
            raise CommandError("The catalogue file has problems:\n" + "\n".join(exc.problems)) from None
        self.stdout.write(
            "Catalogue loaded: {created} created, {updated} updated, {unchanged} unchanged, {retired} retired.".format(
                **counts
            )
        )
