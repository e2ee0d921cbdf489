import math
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as remember_language

from lindung.accounts import queries, services, throttle
from lindung.accounts.forms import (
    OwnPasswordChangeForm,
    UserCreateForm,
    UserFilterForm,
    UserForm,
    user_initial,
)
from lindung.accounts.models import Language, User
from lindung.audit.queries import event_rows, user_events
from lindung.decorators import require, user_of
from lindung.htmx import HtmxHttpRequest
from lindung.roles import Capability

USERS_PER_PAGE = 50


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _wait_message(wait: timedelta) -> str:
    seconds = math.ceil(wait.total_seconds())
    if seconds < 120:
        return ngettext(
            "Too many attempts. Try again in %(count)d second.",
            "Too many attempts. Try again in %(count)d seconds.",
            seconds,
        ) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many attempts. Try again in %(count)d minute.",
        "Too many attempts. Try again in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


def _login_page(
    request: HttpRequest, form: AuthenticationForm, wait: timedelta | None = None
) -> HttpResponse:
    """The login page; with `wait`, HTTP 429 saying when the username may try again."""
    context = {"form": form, "next": _next_url(request)}
    if wait is None:
        return render(request, "accounts/login.html", context)
    context["wait_message"] = _wait_message(wait)
    response = render(request, "accounts/login.html", context, status=429)
    response["Retry-After"] = str(math.ceil(wait.total_seconds()))
    return response


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    # The same cookie as Django's set_language view writes.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method != "POST":
        return _login_page(request, form)
    username = request.POST.get("username", "")
    if wait := throttle.wait_before_login(username):
        # Refused before the password is checked: a form that is not validated.
        return _login_page(request, AuthenticationForm(initial={"username": username}), wait)
    if form.is_valid():
        user = form.get_user()
        login(request, user)
        services.record_login(user=user, ip=getattr(request, "axes_ip_address", None))
        response = redirect(_next_url(request))
        if user.language:  # the profile wins; the login page after logging out follows it too
            _set_language_cookie(response, user.language)
        return response
    # axes marks the request when its address is locked out (or this attempt locks it); its
    # middleware then answers with the lockout page instead of this one.
    locked_out = bool(getattr(request, "axes_locked_out", False))
    wait = services.record_failed_login(username=username, locked_out=locked_out)
    return _login_page(request, form, wait)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.record_logout(user=user_of(request))
    logout(request)
    return redirect("accounts:login")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch: the cookie for this browser (Django's view, which also redirects
    to `next`), and for a logged-in user their profile, which every later login follows."""
    response = remember_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in Language.values:
        user = user_of(request)
        services.set_language(by=user, user=user, language=language)
    return response


@sensitive_post_parameters()
@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = OwnPasswordChangeForm(user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_own_password(user=user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/password_change.html", {"form": form})


# --- user management (admins) -----------------------------------------------------------------
def _add_error(form: UserForm, error: services.AccountError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _region_field(request: HtmxHttpRequest, by: User) -> HttpResponse:
    """For htmx: the wilayah picker again, narrowed to the levels of the role just chosen."""
    role = request.GET.get("role", "")
    initial = {"role": role, "region_code": request.GET.get("region_code", "")}
    form = UserForm(by=by, for_role=role, initial=initial)
    response = render(request, "accounts/user_form.html#region-field", {"form": form})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _password_once(request: HttpRequest, account: User, password: str) -> HttpResponse:
    """The new password in this response only: it is never stored in clear or shown again."""
    return render(
        request, "accounts/password_once.html", {"account": account, "password": password}
    )


@require(Capability.MANAGE_USERS)
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET, by=user_of(request))
    users = queries.filter_users(**form.filters())
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"form": form, "page": page})


@require(Capability.MANAGE_USERS)
@never_cache
def user_create(request: HtmxHttpRequest) -> HttpResponse:
    admin = user_of(request)
    if request.htmx:
        return _region_field(request, admin)
    form = UserCreateForm(request.POST or None, by=admin)
    if request.method == "POST" and form.is_valid():
        try:
            account, password = services.create_user(by=admin, **form.cleaned_data)
        except services.AccountError as e:
            _add_error(form, e)
        else:
            messages.success(
                request, _("User %(username)s created.") % {"username": account.username}
            )
            return _password_once(request, account, password)
    return render(request, "accounts/user_form.html", {"form": form})


@require(Capability.MANAGE_USERS)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = queries.get_user(pk)
    rows = event_rows(user_events(account), viewer=user_of(request))
    return render(request, "accounts/user_detail.html", {"account": account, "rows": rows})


@require(Capability.MANAGE_USERS)
def user_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    admin, account = user_of(request), queries.get_user(pk)
    if request.htmx:
        return _region_field(request, admin)
    form = UserForm(request.POST or None, by=admin, initial=user_initial(account))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(by=admin, user=account, **form.cleaned_data)
        except services.AccountError as e:
            _add_error(form, e)
        else:
            messages.success(
                request, _("Changes to %(username)s saved.") % {"username": account.username}
            )
            return redirect("accounts:user-detail", pk=account.pk)
    return render(request, "accounts/user_form.html", {"form": form, "account": account})


@require(Capability.MANAGE_USERS)
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = queries.get_user(pk)
    try:
        services.deactivate_user(by=user_of(request), user=account)
    except services.AccountError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, _("%(username)s can no longer log in.") % {"username": account.username}
        )
    return redirect("accounts:user-detail", pk=account.pk)


@require(Capability.MANAGE_USERS)
@require_POST
def user_activate(request: HttpRequest, pk: int) -> HttpResponse:
    account = queries.get_user(pk)
    services.activate_user(by=user_of(request), user=account)
    messages.success(request, _("%(username)s can log in again.") % {"username": account.username})
    return redirect("accounts:user-detail", pk=account.pk)


@require(Capability.MANAGE_USERS)
@require_POST
@never_cache
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    admin, account = user_of(request), queries.get_user(pk)
    password = services.reset_password(by=admin, user=account)
    if account.pk == admin.pk:
        update_session_auth_hash(request, account)  # resetting one's own keeps one logged in
    messages.success(
        request, _("New password for %(username)s created.") % {"username": account.username}
    )
    return _password_once(request, account, password)
