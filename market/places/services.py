"""Writes about places: loading an ONS Postcode Directory style CSV into the postcode table."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Neighbourhood, Postcode
from .postcodes import normalise_postcode

REQUIRED_COLUMNS = {"lat", "long"}
POSTCODE_COLUMNS = ("pcds", "pcd", "postcode")


class PostcodeImportError(ValueError):
    """The file cannot be imported; nothing was changed. `problems` lists each bad row."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[:10]))
        self.problems = problems


@dataclass
class ImportResult:
    imported: int = 0
    skipped_terminated: int = 0
    without_neighbourhood: list[str] = field(default_factory=list)


def _neighbourhood_by_ward() -> dict[str, Neighbourhood]:
    mapping = {}
    for neighbourhood in Neighbourhood.objects.all():
        for code in filter(None, (c.strip() for c in neighbourhood.ward_codes.split(","))):
            mapping[code] = neighbourhood
    return mapping


def postcodes_import(*, lines: Iterable[str]) -> ImportResult:
    """Import every live postcode in the file, or none: a file with any bad row changes nothing.

    Columns (ONS Postcode Directory names): `pcds` (or `pcd`/`postcode`), `lat`, `long`, optional
    `osward` (mapped to a neighbourhood through its ward codes) and `doterm` (terminated: skipped).
    """
    reader = csv.DictReader(lines)
    columns = set(reader.fieldnames or [])
    postcode_column = next((c for c in POSTCODE_COLUMNS if c in columns), None)
    if postcode_column is None or not columns >= REQUIRED_COLUMNS:
        raise PostcodeImportError([f"The file needs columns pcds, lat and long; it has: {', '.join(sorted(columns))}"])

    by_ward = _neighbourhood_by_ward()
    result = ImportResult()
    rows: dict[str, Postcode] = {}
    problems: list[str] = []
    for line_number, row in enumerate(reader, start=2):
        if (row.get("doterm") or "").strip():
            result.skipped_terminated += 1
            continue
        try:
            postcode = normalise_postcode(row[postcode_column])
            latitude, longitude = float(row["lat"]), float(row["long"])
        except (ValidationError, TypeError, ValueError):
            problems.append(
                f"line {line_number}: {row.get(postcode_column)!r} is not a postcode with a latitude and longitude"
            )
            continue
        if not (49.0 <= latitude <= 61.0 and -9.0 <= longitude <= 2.5):
            problems.append(f"line {line_number}: {postcode} is placed outside the UK")
            continue
        neighbourhood = by_ward.get((row.get("osward") or "").strip())
        if neighbourhood is None:
            result.without_neighbourhood.append(postcode)
        rows[postcode] = Postcode(
            postcode=postcode,
            district=postcode.split(" ")[0],
            latitude=latitude,
            longitude=longitude,
            neighbourhood=neighbourhood,
        )
    if problems:
        raise PostcodeImportError(problems)

    with transaction.atomic():
        Postcode.objects.bulk_create(
            rows.values(),
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["district", "latitude", "longitude", "neighbourhood"],
        )
    result.imported = len(rows)
    return result
