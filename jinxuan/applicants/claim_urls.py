from django.urls import path

from . import claim_views as v

urlpatterns = [
    path("", v.claim_list, name="list"),
    path("<int:pk>/", v.claim_detail, name="detail"),
    path("<int:pk>/licence/", v.claim_licence, name="licence"),
]
