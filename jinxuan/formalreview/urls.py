from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/", views.queue, name="queue"),
    path("<slug:slug>/recheck/", views.recheck, name="recheck"),
    path("<slug:slug>/<int:pk>/", views.detail, name="detail"),
    path("<slug:slug>/<int:pk>/insights/", views.insights_fragment, name="insights"),
]
