from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/", views.queue, name="queue"),
    path("<slug:slug>/export.xlsx", views.export, name="export"),
    path("<slug:slug>/bulk/", views.bulk_action, name="bulk"),
    path("<slug:slug>/recheck/", views.recheck, name="recheck"),
    path("<slug:slug>/<int:pk>/", views.detail, name="detail"),
    path("<slug:slug>/<int:pk>/insights/", views.insights_fragment, name="insights"),
]
