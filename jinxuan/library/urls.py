from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("featured/", views.featured, name="featured"),
    path("feed.json", views.feed, name="feed"),
    path("export.xlsx", views.export, name="export"),
    path("<int:pk>/", views.case, name="case"),
    path("<int:pk>/feature/", views.feature, name="feature"),
]
