from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from results import selectors


@login_required
def catalog(request: HttpRequest) -> HttpResponse:
    return render(request, "results/catalog.html", {"tests": selectors.catalog()})


@login_required
def catalog_detail(request: HttpRequest, test_id: int) -> HttpResponse:
    test = get_object_or_404(selectors.catalog(), pk=test_id)
    return render(request, "results/catalog_detail.html", {"test": test, "tasks": test.tasks.all()})
