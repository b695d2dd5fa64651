from django.urls import path

from . import views

urlpatterns = [
    path("<str:token>/", views.status, name="status"),
    path("<str:token>/download/", views.download, name="download"),
]
