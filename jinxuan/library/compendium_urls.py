from django.urls import path

from . import compendium_views as v

urlpatterns = [
    path("<slug:slug>/compendium/", v.overview, name="overview"),
    path("<slug:slug>/compendium.docx", v.export_docx, name="docx"),
    path("<slug:slug>/compendium.pdf", v.export_pdf, name="pdf"),
    path("<slug:slug>/cases/", v.cases, name="cases"),
    path("<slug:slug>/cases/export.xlsx", v.cases_export, name="cases_export"),
    path("<slug:slug>/import/", v.upload, name="import"),
    path("<slug:slug>/import/<str:token>/", v.preview, name="preview"),
    path("<slug:slug>/import/<str:token>/confirm/", v.confirm, name="confirm"),
    path("<slug:slug>/import/<str:token>/discard/", v.discard, name="discard"),
]
