from django.shortcuts import render

from market.taxonomy.models import Category


def baseline(request):
    """The yardstick: one query, one template (extending the same base.html as every page)."""
    return render(request, "bench/baseline.html", {"categories": list(Category.objects.all())})
