from django.urls import path

from . import manage_views as v

urlpatterns = [
    path("<slug:slug>/", v.overview, name="overview"),
    path("<slug:slug>/remind/", v.remind, name="remind"),
    path("<slug:slug>/close/", v.close, name="close"),
    path("<slug:slug>/visibility/", v.visibility_setting, name="visibility"),
    path("<slug:slug>/experts/", v.pool, name="pool"),
    path("<slug:slug>/experts/template.xlsx", v.pool_template, name="pool_template"),
    path("<slug:slug>/experts/export.xlsx", v.pool_export, name="pool_export"),
    path("<slug:slug>/conflicts/", v.conflicts, name="conflicts"),
    path("<slug:slug>/assignment/", v.assignment, name="assignment"),
    path("<slug:slug>/assignment/export.xlsx", v.assignment_export, name="assignment_export"),
    path("<slug:slug>/reviews/<int:pk>/reopen/", v.reopen, name="reopen"),
    path("<slug:slug>/scores.xlsx", v.export, name="export"),
    path("<slug:slug>/scores/", v.scores, name="scores"),
    path("<slug:slug>/scores/export.xlsx", v.scores_export, name="scores_export"),
]
