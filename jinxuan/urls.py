from django.urls import include, path

from jinxuan.api.routes import api
from jinxuan.applicants import views as applicant_views
from jinxuan.dashboard import views as dashboard

urlpatterns = [
    path("", include(("jinxuan.public.urls", "public"))),
    path("accounts/", include(("jinxuan.accounts.urls", "accounts"))),
    path("workspace/", dashboard.workspace, name="workspace"),
    path("apply/", include(("jinxuan.applicants.urls", "apply"))),
    path("verify/<int:version_id>/<str:token>/", applicant_views.verify, name="verify"),
    path("manage/formal/", include(("jinxuan.formalreview.urls", "formalreview"))),
    path("manage/review/", include(("jinxuan.review.manage_urls", "review_manage"))),
    path("review/", include(("jinxuan.review.urls", "review"))),
    path("read/", include(("jinxuan.reader.urls", "reader"))),
    path("manage/vote/", include(("jinxuan.voting.manage_urls", "vote_manage"))),
    path("vote/", include(("jinxuan.voting.urls", "vote"))),
    path("", include(("jinxuan.roadshow.urls", "roadshow"))),
    path("", include(("jinxuan.inspection.urls", "inspection"))),
    path("", include(("jinxuan.publicity.urls", "publicity"))),
    path("", include(("jinxuan.results.urls", "results"))),
    path("manage/stages/", include(("jinxuan.reports.urls", "reports"))),
    path("manage/library/", include(("jinxuan.library.compendium_urls", "compendium"))),
    path("manage/organisations/claims/", include(("jinxuan.applicants.claim_urls", "claims"))),
    path("manage/files/", include(("jinxuan.prepared.urls", "prepared"))),
    path("manage/recommendations/", include(("jinxuan.recommendations.urls", "recommendations"))),
    path("manage/", include(("jinxuan.dashboard.urls", "dashboard"))),
    path("library/", include(("jinxuan.library.urls", "library"))),
    path("api/v1/", api.urls),
]

handler400 = "jinxuan.dashboard.errors.bad_request"
handler403 = "jinxuan.dashboard.errors.forbidden"
handler404 = "jinxuan.dashboard.errors.not_found"
handler500 = "jinxuan.dashboard.errors.server_error"
