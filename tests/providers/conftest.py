"""Fixtures for the providers area."""

from __future__ import annotations

import pytest

from market.accounts.models import Role
from providers.models import MemberRole, ProviderStatus
from tests.factories import ProviderFactory, ProviderMembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Each test stores check evidence in its own folder (test runs in the shared tree may overlap)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def provider(db):
    return ProviderFactory(name="Jo's Companions", status=ProviderStatus.APPROVED)


@pytest.fixture
def owner(provider):
    return ProviderMembershipFactory(provider=provider, role=MemberRole.OWNER).user


@pytest.fixture
def staff(provider):
    return ProviderMembershipFactory(provider=provider, role=MemberRole.STAFF).user


@pytest.fixture
def other_provider(db):
    return ProviderFactory(name="Somebody Else Ltd")


@pytest.fixture
def other_owner(other_provider):
    return ProviderMembershipFactory(provider=other_provider, role=MemberRole.OWNER).user


@pytest.fixture
def stranger(db):
    return UserFactory(roles=[Role.BUDGET_HOLDER])


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()
