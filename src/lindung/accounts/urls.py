from django.urls import path

from lindung.accounts import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.login_view, name="login"),
    path("keluar/", views.logout_view, name="logout"),
    path("kata-sandi/", views.password_change, name="password-change"),
    path("pengguna/", views.user_list, name="user-list"),
    path("pengguna/baru/", views.user_create, name="user-create"),
    path("pengguna/<int:pk>/", views.user_detail, name="user-detail"),
    path("pengguna/<int:pk>/ubah/", views.user_edit, name="user-edit"),
    path("pengguna/<int:pk>/nonaktifkan/", views.user_deactivate, name="user-deactivate"),
    path("pengguna/<int:pk>/aktifkan/", views.user_activate, name="user-activate"),
    path("pengguna/<int:pk>/reset-sandi/", views.user_reset_password, name="user-reset-password"),
]
