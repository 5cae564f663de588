import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from market.places.models import Postcode
from market.places.postcodes import INVALID_MESSAGE, normalise_postcode, normalise_postcode_or_district
from market.places.selectors import UnknownPostcode, place_for_postcode
from market.places.services import PostcodeImportError, postcodes_import
from tests.factories import NeighbourhoodFactory, PostcodeFactory


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("wn1 3ab", "WN1 3AB"),
        ("WN13AB", "WN1 3AB"),
        ("  wn1   3ab ", "WN1 3AB"),
        ("M46 9AB", "M46 9AB"),
        ("ec1a1bb", "EC1A 1BB"),
        ("W1A 0AX", "W1A 0AX"),
        ("sw1a 2aa", "SW1A 2AA"),
    ],
)
def test_postcodes_are_normalised(typed, normalised):
    assert normalise_postcode(typed) == normalised


@pytest.mark.parametrize("typed", ["", "WIGAN", "WN1", "WN1 3A", "12345", "QN1 3AB", "WN1 3CI", "WN1 3AB X"])
def test_invalid_postcodes_get_a_plain_message(typed):
    with pytest.raises(ValidationError) as error:
        normalise_postcode(typed)
    assert error.value.messages == [INVALID_MESSAGE]


@pytest.mark.parametrize(("typed", "normalised"), [("wn1", "WN1"), ("WN1 3AB", "WN1 3AB"), ("m46", "M46")])
def test_searches_accept_a_district(typed, normalised):
    assert normalise_postcode_or_district(typed) == normalised


def test_place_for_a_full_postcode_and_a_district(db):
    scholes = NeighbourhoodFactory(name="Scholes")
    PostcodeFactory(postcode="WN1 3AB", latitude=53.5, longitude=-2.6, neighbourhood=scholes)
    PostcodeFactory(postcode="WN1 3AD", latitude=53.6, longitude=-2.7, neighbourhood=scholes)

    place = place_for_postcode("wn13ab")
    assert (place.label, place.district, place.latitude, place.longitude) == ("WN1 3AB", "WN1", 53.5, -2.6)
    assert place.neighbourhood == scholes

    district = place_for_postcode("WN1")
    assert district.label == "WN1"
    assert district.latitude == pytest.approx(53.55)
    assert district.longitude == pytest.approx(-2.65)
    assert district.neighbourhood is None


def test_unknown_postcode_is_reported(db):
    with pytest.raises(UnknownPostcode):
        place_for_postcode("SW1A 2AA")


CSV = """pcds,lat,long,osward,doterm
WN1 3AB,53.5468,-2.6185,E05099001,
wn1 3ad,53.5470,-2.6190,E05099001,
WN5 0AA,53.5352,-2.6748,E09999999,
WN1 3ZZ,53.5468,-2.6185,E05099001,201904
"""


def test_import_maps_wards_to_neighbourhoods_and_skips_terminated(db):
    scholes = NeighbourhoodFactory(name="Scholes", ward_codes="E05099001")

    result = postcodes_import(lines=io.StringIO(CSV))

    assert (result.imported, result.skipped_terminated, result.without_neighbourhood) == (3, 1, ["WN5 0AA"])
    assert list(Postcode.objects.values_list("postcode", "district", "neighbourhood")) == [
        ("WN1 3AB", "WN1", scholes.pk),
        ("WN1 3AD", "WN1", scholes.pk),
        ("WN5 0AA", "WN5", None),
    ]


def test_import_updates_existing_rows(db):
    PostcodeFactory(postcode="WN1 3AB", latitude=1.0, longitude=1.0, neighbourhood=None)
    postcodes_import(lines=io.StringIO(CSV))
    assert Postcode.objects.get(postcode="WN1 3AB").latitude == 53.5468


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("pcds,lat,long\nWN1 3AB,53.5,-2.6\nNOT A CODE,53.5,-2.6\n", "line 3: 'NOT A CODE' is not a postcode"),
        ("pcds,lat,long\nWN1 3AB,north,-2.6\n", "line 2: 'WN1 3AB' is not a postcode with a latitude"),
        ("pcds,lat,long\nWN1 3AB,40.0,-2.6\n", "line 2: WN1 3AB is placed outside the UK"),
        ("postcode_only\nWN1 3AB\n", "The file needs columns pcds, lat and long"),
    ],
)
def test_a_bad_file_imports_nothing(db, body, problem):
    with pytest.raises(PostcodeImportError) as error:
        postcodes_import(lines=io.StringIO(body))
    assert problem in str(error.value)
    assert Postcode.objects.count() == 0


def test_import_command_reports_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        call_command("import_postcodes", tmp_path / "missing.csv")


def test_import_command_loads_the_demo_table(db):
    out = io.StringIO()
    call_command("import_postcodes", "market/places/data/wigan_postcodes.csv", stdout=out)
    assert "Imported 336 postcodes; skipped 1 terminated" in out.getvalue()
    assert not Postcode.objects.filter(postcode="WN1 3ZZ").exists()
