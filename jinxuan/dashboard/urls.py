from django.urls import path

from . import views

urlpatterns = [
    path("", views.campaign_list, name="home"),
    path("<slug:slug>/", views.campaign_detail, name="campaign"),
    path("<slug:slug>/counts/", views.campaign_counts, name="campaign_counts"),
    path("<slug:slug>/audit/", views.campaign_audit, name="campaign_audit"),
    path("<slug:slug>/applications/", views.campaign_applications, name="applications"),
    path("<slug:slug>/applications/export.xlsx", views.applications_export, name="applications_export"),
    path("<slug:slug>/applications/export-unmasked/", views.applications_export_unmasked,
         name="applications_export_unmasked"),
    path("<slug:slug>/outbox/", views.campaign_outbox, name="outbox"),
    path("<slug:slug>/mail-templates/", views.mail_templates, name="mail_templates"),
]
