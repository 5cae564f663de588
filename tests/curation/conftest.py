"""Community groups' listings for curation tests (reuses the community fixtures: Pemberton, a group, activities)."""

from tests.community.conftest import activities_category, activity, group, home_service, pemberton  # noqa: F401
