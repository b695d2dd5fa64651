from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/", views.page, name="page"),
    path("<slug:slug>/import/", views.import_excel, name="import"),
    path("<slug:slug>/template.xlsx", views.template, name="template"),
    path("<slug:slug>/<int:pk>/letter/", views.letter, name="letter"),
]
