from django.urls import path

from . import upload_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("organisations/new/", views.organisation_new, name="organisation_new"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("joint-requests/<int:pk>/", views.joint_request_answer, name="joint_request"),
    path("new/<slug:slug>/", views.application_new, name="new"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/edit/", views.application_edit, name="edit"),
    path("<int:pk>/autosave/", views.application_autosave, name="autosave"),
    path("<int:pk>/units/", views.unit_add, name="unit_add"),
    path("<int:pk>/units/<int:unit>/remove/", views.unit_remove, name="unit_remove"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:att>/", views.attachment_download, name="attachment"),
    path("<int:pk>/attachments/<int:att>/delete/", views.attachment_delete, name="attachment_delete"),
    path("<int:pk>/uploads/", upload_views.upload_start, name="upload_start"),
    path("<int:pk>/uploads/<str:upload_id>/", upload_views.upload_chunk, name="upload_chunk"),
    path("<int:pk>/uploads/<str:upload_id>/finish/", upload_views.upload_finish, name="upload_finish"),
    path("<int:pk>/submit/", views.application_submit, name="submit"),
    path("<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("<int:pk>/print/v<int:number>.pdf", views.print_pdf, name="print_pdf"),
    path("<int:pk>/case.docx", views.case_docx, name="case_docx"),
    path("<int:pk>/commitment.<str:fmt>", views.commitment, name="commitment"),
    path("<int:pk>/paper-received/", views.paper_received, name="paper_received"),
    path("<int:pk>/export.json", views.export_json, name="export"),
    path("<int:pk>/contact-consent/", views.contact_consent, name="contact_consent"),
]
