from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/report/", views.report, name="report"),
    path("<slug:slug>/stages.xlsx", views.export, name="export"),
    path("<slug:slug>/<str:stage_key>/", views.stage, name="stage"),
    path("<slug:slug>/<str:stage_key>/lifecycle/", views.lifecycle, name="lifecycle"),
]
