from django.urls import path

from . import views

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("<slug:slug>/", views.index, name="index"),
    path("<slug:slug>/<int:pk>/", views.detail, name="detail"),
    path("<slug:slug>/<int:pk>/confirm/", views.confirm, name="confirm"),
]
