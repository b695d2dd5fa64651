from django.urls import path

from . import manage_views as v

urlpatterns = [
    path("<slug:slug>/", v.overview, name="overview"),
    path("<slug:slug>/detect/", v.detect, name="detect"),
    path("<slug:slug>/close/", v.close, name="close"),
    path("<slug:slug>/window/", v.window, name="window"),
    path("<slug:slug>/votes/", v.votes, name="votes"),
    path("<slug:slug>/votes/invalidate/", v.invalidate, name="invalidate"),
    path("<slug:slug>/votes.xlsx", v.export, name="export"),
]
