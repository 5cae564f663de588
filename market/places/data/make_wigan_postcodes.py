"""Writes wigan_postcodes.csv: a small, synthetic postcode table for the demo, in ONS Postcode Directory
column style (pcds, lat, long, osward, doterm). Real postcode formats and real neighbourhood locations;
the unit postcodes and their coordinates are made up, deterministically. Run it to regenerate the file:

    .venv/bin/python market/places/data/make_wigan_postcodes.py
"""

import csv
import random
from pathlib import Path

# name, postcode sector, centre latitude, centre longitude, ward code (synthetic, ONS-shaped)
NEIGHBOURHOODS = [
    ("Scholes", "WN1 3", 53.5468, -2.6185, "E05099001"),
    ("Wigan Central", "WN1 1", 53.5448, -2.6320, "E05099002"),
    ("Whelley", "WN1 2", 53.5530, -2.6120, "E05099003"),
    ("Pemberton", "WN5 0", 53.5352, -2.6748, "E05099004"),
    ("Orrell", "WN5 8", 53.5302, -2.7078, "E05099005"),
    ("Aspull", "WN2 1", 53.5728, -2.5852, "E05099006"),
    ("Hindley", "WN2 3", 53.5352, -2.5752, "E05099007"),
    ("Ince", "WN2 2", 53.5391, -2.6093, "E05099008"),
    ("Standish", "WN6 0", 53.5868, -2.6632, "E05099009"),
    ("Shevington", "WN6 8", 53.5742, -2.6938, "E05099010"),
    ("Ashton-in-Makerfield", "WN4 9", 53.4878, -2.6402, "E05099011"),
    ("Leigh", "WN7 1", 53.4972, -2.5151, "E05099012"),
    ("Atherton", "M46 9", 53.5232, -2.4931, "E05099013"),
    ("Tyldesley", "M29 8", 53.5131, -2.4679, "E05099014"),
]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
UNITS_PER_NEIGHBOURHOOD = 24


def rows():
    rng = random.Random(20261123)
    for _name, sector, lat, lng, ward in NEIGHBOURHOODS:
        units = sorted({rng.choice(INWARD_LETTERS) + rng.choice(INWARD_LETTERS) for _ in range(60)})
        for letters in units[:UNITS_PER_NEIGHBOURHOOD]:
            yield {
                "pcds": f"{sector}{letters}",
                "lat": f"{lat + rng.uniform(-0.006, 0.006):.6f}",
                "long": f"{lng + rng.uniform(-0.010, 0.010):.6f}",
                "osward": ward,
                "doterm": "",
            }
    # A terminated postcode, as the ONS directory lists them: the importer must skip it.
    yield {"pcds": "WN1 3ZZ", "lat": "53.546800", "long": "-2.618500", "osward": "E05099001", "doterm": "201904"}


def main():
    target = Path(__file__).with_name("wigan_postcodes.csv")
    with target.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["pcds", "lat", "long", "osward", "doterm"])
        writer.writeheader()
        writer.writerows(rows())
    print(f"Wrote {target}")


if __name__ == "__main__":
    main()
