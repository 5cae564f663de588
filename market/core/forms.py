"""Form helpers shared by every app."""


class GovFormMixin:
    """Render with the site's accessible templates: an error summary that links to each field, then each
    field with its label, hint and error beside it. Django links hint and error to the input with
    aria-describedby (ids `<id>_helptext` and `<id>_error`), which the templates use."""

    template_name = "forms/form.html"
