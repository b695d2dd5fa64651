from django.urls import path

from . import manage_views as m
from . import views

urlpatterns = [
    path("results/<slug:slug>/", views.index, name="index"),
    path("manage/results/<slug:slug>/", m.overview, name="manage"),
    path("manage/results/<slug:slug>/close/", m.close, name="close"),
    path("manage/results/<slug:slug>/special/", m.special, name="special"),
    path("manage/results/<slug:slug>/tie/", m.tie, name="tie"),
    path("manage/results/<slug:slug>/publish/", m.publish, name="publish"),
]
