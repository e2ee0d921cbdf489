from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from lindung.accounts import services
from lindung.accounts.decorators import user_of


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            login(request, user)
            services.record_login(user=user)
            return redirect(_next_url(request))
        services.record_failed_login(username=request.POST.get("username", ""))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.record_logout(user=user_of(request))
    logout(request)
    return redirect("accounts:login")


@sensitive_post_parameters()
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = PasswordChangeForm(user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_own_password(user=user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        return redirect("regions:home")
    return render(request, "accounts/password_change.html", {"form": form})


# --- user management (admins) -----------------------------------------------------------------
def user_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


user_create = user_detail = user_edit = user_deactivate = user_activate = user_list
user_reset_password = user_list
