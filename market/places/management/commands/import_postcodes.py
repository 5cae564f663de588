from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from market.places.services import PostcodeImportError, postcodes_import


class Command(BaseCommand):
    help = "Load an ONS Postcode Directory style CSV (pcds, lat, long, osward, doterm) into the postcode table."

    def add_arguments(self, parser):
        parser.add_argument("csv_path", type=Path)

    def handle(self, *args, csv_path: Path, **options):
        if not csv_path.is_file():
            raise CommandError(f"There is no file at {csv_path}.")
        try:
            with csv_path.open(newline="", encoding="utf-8-sig") as handle:
                result = postcodes_import(lines=handle)
        except PostcodeImportError as error:
            raise CommandError("Nothing was imported. " + "; ".join(error.problems[:20])) from error
        self.stdout.write(
            f"Imported {result.imported} postcodes; skipped {result.skipped_terminated} terminated; "
            f"{len(result.without_neighbourhood)} are outside every neighbourhood."
        )
