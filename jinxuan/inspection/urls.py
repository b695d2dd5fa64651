"""Inspector pages (/inspection/…), the public draw record and the organiser pages (/manage/inspection/…)."""

from django.urls import path

from . import manage_views as m
from . import views as v

urlpatterns = [
    path("inspection/<slug:slug>/", v.workspace, name="workspace"),
    path("inspection/<slug:slug>/draw/", v.draw_record, name="draw"),
    path("inspection/<slug:slug>/draw.json", v.draw_json, name="draw_json"),
    path("inspection/<slug:slug>/<int:pk>/", v.record, name="record"),
    path("inspection/<slug:slug>/<int:pk>/evidence/", v.evidence_upload, name="evidence_upload"),
    path("inspection/<slug:slug>/<int:pk>/evidence/<int:ev>/", v.evidence_download, name="evidence"),
    path("inspection/<slug:slug>/<int:pk>/evidence/<int:ev>/delete/", v.evidence_delete, name="evidence_delete"),
    path("manage/inspection/<slug:slug>/", m.overview, name="manage"),
    path("manage/inspection/<slug:slug>/commit/", m.commit, name="commit"),
    path("manage/inspection/<slug:slug>/void/", m.void, name="void"),
    path("manage/inspection/<slug:slug>/draw/", m.draw, name="run_draw"),
    path("manage/inspection/<slug:slug>/close/", m.close, name="close"),
    path("manage/inspection/<slug:slug>/records/<int:pk>/", m.record, name="manage_record"),
    path("manage/inspection/<slug:slug>/records/<int:pk>/assign/", m.assign, name="assign"),
    path("manage/inspection/<slug:slug>/records/<int:pk>/reopen/", m.reopen, name="reopen"),
    path("manage/inspection/<slug:slug>/records/<int:pk>/evidence/<int:ev>/", m.evidence_download,
         name="manage_evidence"),
]
