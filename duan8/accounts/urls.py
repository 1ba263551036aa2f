from django.urls import path

from duan8.accounts import views

app_name = "accounts"

urlpatterns = [
    path("signin/", views.signin, name="signin"),
    path("signin/code/", views.signin_code, name="signin_code"),
    path("signout/", views.signout, name="signout"),
    path("password/", views.password_change, name="password_change"),
    path("two-step/", views.two_factor_page, name="two_factor"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("manage/users/", views.users, name="users"),
    path("manage/users/new/", views.user_create, name="user_create"),
    path("manage/users/<int:pk>/", views.user_detail, name="user"),
    path("manage/users/<int:pk>/password/", views.user_password, name="user_password"),
    path("manage/users/<int:pk>/roles/", views.membership_add, name="membership_add"),
    path("manage/roles/<int:pk>/delete/", views.membership_delete, name="membership_delete"),
    path("manage/audit/", views.audit_log, name="audit_log"),
    path("manage/blocks/", views.blocks, name="blocks"),
    path("manage/blocks/lift/", views.block_lift, name="block_lift"),
]
