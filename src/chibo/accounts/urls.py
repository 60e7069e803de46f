from django.urls import path

from chibo.accounts import views

app_name = "accounts"

urlpatterns = [
    path("account/", views.me, name="me"),
    path("account/tokens/", views.token_new, name="token_new"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("account/sessions/<int:pk>/end/", views.session_end, name="session_end"),
    path("account/activate/<str:token>/", views.activate, name="activate"),
    path("users/", views.users, name="users"),
    path("users/invite/", views.invite_staff, name="invite"),
    path("users/review/", views.review, name="review"),
    path("users/roles/", views.roles, name="roles"),
    path("users/roles/grant/", views.role_grant, name="role_grant"),
    path("users/roles/<int:pk>/withdraw/", views.role_withdraw, name="role_withdraw"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/resend/", views.user_act, {"action": "resend"}, name="user_resend"),
    path("users/<int:pk>/revoke/", views.user_act, {"action": "revoke"}, name="user_revoke"),
    path("users/<int:pk>/deactivate/", views.user_act, {"action": "deactivate"}, name="user_deactivate"),
    path("users/<int:pk>/end-sessions/", views.user_act, {"action": "end_sessions"}, name="user_end_sessions"),
]
