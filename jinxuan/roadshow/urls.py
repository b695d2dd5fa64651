"""Roadshow routes: the organiser's control page under /manage/roadshow/, the judges' and the public pages under
/roadshow/ (one module, included once at the root)."""

from django.urls import path

from . import views as v

urlpatterns = [
    path("manage/roadshow/<slug:slug>/", v.control, name="control"),
    path("manage/roadshow/<slug:slug>/state.json", v.control_json, name="control_json"),
    path("manage/roadshow/<slug:slug>/schedule/", v.build, name="build"),
    path("manage/roadshow/<slug:slug>/judges/", v.judges, name="judges"),
    path("manage/roadshow/<slug:slug>/next/", v.next_slot, name="next"),
    path("manage/roadshow/<slug:slug>/close/", v.close, name="close"),
    path("manage/roadshow/<slug:slug>/slots/<int:pk>/<slug:action>/", v.slot_action, name="slot"),
    path("manage/roadshow/<slug:slug>/reopen/", v.reopen, name="reopen"),
    path("roadshow/<slug:slug>/judge/", v.judge, name="judge"),
    path("roadshow/<slug:slug>/judge/state.json", v.judge_state, name="judge_state"),
    path("roadshow/<slug:slug>/board/", v.board, name="board"),
    path("roadshow/<slug:slug>/board.json", v.board_json, name="board_json"),
]
