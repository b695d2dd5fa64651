from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/<int:pk>/", views.read, name="read"),
    path("<slug:slug>/<int:pk>/files/<int:att>/", views.attachment, name="attachment"),
]
