from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.workspace, name="workspace"),
    path("<slug:slug>/my-scores.xlsx", views.my_scores, name="my_scores"),
    path("<slug:slug>/<int:pk>/", views.score, name="score"),
    path("<slug:slug>/<int:pk>/conflict/", views.declare_conflict, name="declare_conflict"),
]
