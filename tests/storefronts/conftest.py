from tests.directory.conftest import borough, companionship, gardening, listed, personal_care  # noqa: F401
