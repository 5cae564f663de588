"""Private file storage for check evidence: the one private storage of market.core (named here because the
migrations of check files refer to `providers.storage.private_storage`)."""

from market.core.storage import PrivateStorage, private_storage

__all__ = ["PrivateStorage", "private_storage"]
