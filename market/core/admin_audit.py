"""What council editors change in the Wagtail admin's snippets (kinds of support, needs, neighbourhoods, the curation
of community listings) is written to the project's audit trail as well as Wagtail's own log, so one trail answers
"who changed what the public sees, and when".

The audit row is written inside the transaction that saves or deletes the record (Wagtail's views save inside
`transaction.atomic()`; the delete is wrapped here), so a change is never kept without its row. A registered
snippet opts in by subclassing `AuditedSnippetViewSet` instead of Wagtail's `SnippetViewSet`.
"""

from __future__ import annotations

from django.db import transaction
from wagtail.snippets.views.snippets import CreateView, DeleteView, EditView, SnippetViewSet

from .audit import audit_record


def _record(view, instance, verb: str, **data) -> None:
    audit_record(
        action=f"{instance._meta.label_lower}.{verb}", actor=view.request.user, target=instance,
        summary=f"{instance._meta.verbose_name.capitalize()} {verb} in the admin: {instance}", data=data,
    )


class AuditedCreateView(CreateView):
    def save_instance(self):
        instance = super().save_instance()
        _record(self, instance, "added", fields=sorted(self.form.changed_data))
        return instance


class AuditedEditView(EditView):
    def save_instance(self):
        instance = super().save_instance()
        _record(self, instance, "changed", fields=sorted(self.form.changed_data))
        return instance


class AuditedDeleteView(DeleteView):
    def delete_action(self):
        with transaction.atomic():
            _record(self, self.object, "deleted")
            super().delete_action()


class AuditedSnippetViewSet(SnippetViewSet):
    add_view_class = AuditedCreateView
    edit_view_class = AuditedEditView
    delete_view_class = AuditedDeleteView
