"""Docker cannot run here, so check what can be checked: the compose file parses, and every service's
command points at something that exists in this repository."""

import importlib
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("migrate", "web", "worker", "beat")


def test_compose_has_the_production_shape():
    services = COMPOSE["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert "--appendonly" in services["redis"]["command"]
    assert services["redis"]["command"][services["redis"]["command"].index("--appendonly") + 1] == "yes"
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    assert set(COMPOSE["volumes"]) == {"postgres-data", "redis-data", "media", "private-media"}
    beats = [name for name, service in services.items() if "beat" in service.get("command", [])]
    assert beats == ["beat"]
    assert services["beat"]["deploy"]["replicas"] == 1


@pytest.mark.parametrize("service", APP_SERVICES)
def test_each_app_service_command_points_at_real_code(service):
    command = COMPOSE["services"][service]["command"]
    program = command[0]
    if program == "gunicorn":
        module_name, attribute = command[1].split(":")
        assert hasattr(importlib.import_module(module_name), attribute)
    elif program == "celery":
        app_module = importlib.import_module(command[command.index("-A") + 1])
        assert app_module.celery_app.main == "market"
    elif program == "python":
        assert command[1] == "manage.py"
        assert (ROOT / "manage.py").is_file()
    else:
        pytest.fail(f"unexpected program {program!r} in the {service} service")


def test_dockerfile_copies_every_package_and_env_example_names_every_secret(settings):
    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    packages = [pattern.rstrip("*") for pattern in find["include"]]
    project_apps = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()}
    assert project_apps <= set(packages), "an app of INSTALLED_APPS is missing from pyproject's package list"
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in packages:
        assert re.search(rf"^COPY {package} ", dockerfile, re.MULTILINE), package
    example = (ROOT / ".env.example").read_text()
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD"):
        assert re.search(rf"^{name}=", example, re.MULTILINE), name
