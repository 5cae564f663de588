"""orders' part in lower areas' pages, through Wagtail hooks (so those areas name nothing above them)."""

from django.template.loader import render_to_string
from wagtail import hooks

from market.accounts.models import Role
from market.accounts.views import ACCOUNT_HOME_SECTIONS_HOOK

from .selectors import caseload_todo


@hooks.register(ACCOUNT_HOME_SECTIONS_HOOK)
def coordinator_todo_section(request) -> str:
    """A coordinator's home page lists what waits for her across her caseload (issue 18, item 5)."""
    if not request.user.has_role(Role.COORDINATOR):
        return ""
    todo = caseload_todo(coordinator=request.user)
    return render_to_string("orders/_caseload_todo.html", {"todo": todo}, request=request)
