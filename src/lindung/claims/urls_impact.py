"""Claims pages (namespace claims)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
