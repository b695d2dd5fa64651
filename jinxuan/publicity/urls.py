from django.urls import path

from . import manage_views as m
from . import views

urlpatterns = [
    path("publicity/<slug:slug>/", views.index, name="index"),
    path("publicity/<slug:slug>/objection/", views.objection, name="objection"),
    path("manage/publicity/<slug:slug>/", m.overview, name="manage"),
    path("manage/publicity/<slug:slug>/open/", m.open_period, name="open"),
    path("manage/publicity/<slug:slug>/holidays/", m.holidays, name="holidays"),
    path("manage/publicity/<slug:slug>/objections/<int:pk>/", m.handle, name="handle"),
    path("manage/publicity/<slug:slug>/objections/<int:pk>/evidence/", m.evidence, name="evidence"),
    path("manage/publicity/<slug:slug>/close/", m.close, name="close"),
    path("manage/publicity/<slug:slug>/objections.xlsx", m.objections_export, name="objections_export"),
    path("manage/publicity/<slug:slug>/objections-unmasked/", m.objections_export_unmasked,
         name="objections_export_unmasked"),
]
