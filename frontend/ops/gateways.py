"""Operator console: the platform's gateways (SMTP, Kavenegar, file storage), saved in
the public schema and audited; secrets are never shown back ("set" / "change"); test
buttons send one email or SMS through what is in use now."""

from __future__ import annotations

import concurrent.futures
import re
import smtplib
from email.utils import parseaddr
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from audit.services import audit_record
from controlplane.gateways import (
    KAVENEGAR_API_KEY,
    SENDER_LINE,
    mail_from_address,
    mail_gateway,
    sms_platform_route,
)
from controlplane.mail import GatewayEmailBackend, smtp_backend_for
from controlplane.models import GatewaySettings, SmtpSecurity, StorageBackend
from controlplane.services import gateway_settings_current, gateway_settings_update
from frontend.base_views import OperatorView
from notifications.gateways import SmsError, sms_gateway_for

HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
REGION = re.compile(r"^[a-z0-9-]{2,40}$")
#: Seconds the test buttons wait for the gateway's answer.
TEST_TIMEOUT = 15

SECRET_NOT_SET = gettext_lazy("Not set.")
SECRET_SET = gettext_lazy("Set. Leave empty to keep it, or type a new one to change it.")


def _secret_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


def _remove_field(label: Any) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False)


class GatewayForm(forms.Form):
    smtp_host = forms.CharField(
        label=gettext_lazy("SMTP server"),
        max_length=253,
        required=False,
        help_text=gettext_lazy("Empty: mail goes through EMAIL_URL of the environment."),
    )
    smtp_port = forms.IntegerField(
        label=gettext_lazy("Port"), min_value=1, max_value=65535, required=False
    )
    smtp_security = forms.ChoiceField(
        label=gettext_lazy("Encryption"), choices=SmtpSecurity.choices, initial="starttls"
    )
    smtp_username = forms.CharField(label=gettext_lazy("User name"), max_length=254, required=False)
    smtp_password = _secret_field(gettext_lazy("Password"))
    smtp_password_remove = _remove_field(gettext_lazy("Remove the stored password"))
    smtp_from_email = forms.CharField(
        label=gettext_lazy("From address"),
        max_length=254,
        required=False,
        help_text=gettext_lazy(
            "Sender of the platform's own mail, e.g. Caseway <no-reply@example.com>."
        ),
    )
    kavenegar_api_key = _secret_field(gettext_lazy("Kavenegar API key"))
    kavenegar_api_key_remove = _remove_field(gettext_lazy("Remove the stored API key"))
    kavenegar_sender = forms.CharField(
        label=gettext_lazy("Sender line"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("The line number of that account, e.g. 10004346."),
    )
    storage_backend = forms.ChoiceField(
        label=gettext_lazy("File storage"), choices=StorageBackend.choices, required=False
    )
    s3_bucket = forms.CharField(label=gettext_lazy("Bucket"), max_length=63, required=False)
    s3_region = forms.CharField(label=gettext_lazy("Region"), max_length=40, required=False)
    s3_endpoint_url = forms.URLField(
        label=gettext_lazy("Endpoint URL"),
        assume_scheme="https",
        required=False,
        help_text=gettext_lazy("Only for S3-compatible services other than Amazon S3."),
    )
    s3_access_key_id = forms.CharField(
        label=gettext_lazy("Access key ID"),
        max_length=128,
        required=False,
        help_text=gettext_lazy("Empty: the server's own role or environment credentials."),
    )
    s3_secret_access_key = _secret_field(gettext_lazy("Secret access key"))
    s3_secret_access_key_remove = _remove_field(gettext_lazy("Remove the stored secret key"))

    SECRETS = ("smtp_password", "kavenegar_api_key", "s3_secret_access_key")
    PLAIN = (
        "smtp_host", "smtp_port", "smtp_security", "smtp_username", "smtp_from_email",
        "kavenegar_sender", "storage_backend", "s3_bucket", "s3_region", "s3_endpoint_url",
        "s3_access_key_id",
    )  # fmt: skip

    def __init__(self, *args: Any, current: GatewaySettings, **kwargs: Any) -> None:
        if not args and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(current, name) for name in self.PLAIN}
        super().__init__(*args, **kwargs)
        self.current = current
        for name in self.SECRETS:
            is_set = bool(getattr(current, name))
            self.fields[name].help_text = SECRET_SET if is_set else SECRET_NOT_SET
            if not is_set:
                del self.fields[f"{name}_remove"]

    def _secret_after(self, data: dict[str, Any], name: str) -> bool:
        """Whether ``name`` will be set once this form is saved."""
        if data.get(name):
            return True
        return bool(getattr(self.current, name)) and not data.get(f"{name}_remove")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        host = data.get("smtp_host", "")
        if host and not HOST.match(host):
            self.add_error("smtp_host", _("Enter a host name such as smtp.example.com."))
        if not host and (
            data.get("smtp_port") or data.get("smtp_username") or data.get("smtp_password")
            or data.get("smtp_from_email")
        ):  # fmt: skip
            self.add_error("smtp_host", _("Enter the SMTP server, or clear the other SMTP fields."))
        sender = data.get("smtp_from_email", "")
        if sender:
            address = parseaddr(sender)[1]
            try:
                validate_email(address)
            except ValidationError:
                self.add_error(
                    "smtp_from_email",
                    _("Enter an address such as Caseway <no-reply@example.com>."),
                )
        if host and data.get("smtp_username") and not self._secret_after(data, "smtp_password"):
            self.add_error("smtp_password", _("A user name needs its password."))

        key = data.get("kavenegar_api_key", "")
        if key and not KAVENEGAR_API_KEY.match(key):
            self.add_error("kavenegar_api_key", _("This does not look like a Kavenegar API key."))
        line = re.sub(r"[\s-]", "", data.get("kavenegar_sender", ""))
        data["kavenegar_sender"] = line
        if line and not SENDER_LINE.match(line):
            self.add_error("kavenegar_sender", _("A sender line is 4 to 20 digits, e.g. 10004346."))
        has_key = self._secret_after(data, "kavenegar_api_key")
        if has_key and not line:
            self.add_error(
                "kavenegar_sender", _("Enter the sender line of this Kavenegar account.")
            )
        if line and not has_key:
            self.add_error(
                "kavenegar_api_key", _("Enter the API key of the account this line belongs to.")
            )

        if data.get("storage_backend") == StorageBackend.S3:
            bucket = data.get("s3_bucket", "")
            if not bucket:
                self.add_error("s3_bucket", _("Enter the bucket's name."))
            elif not BUCKET.match(bucket):
                self.add_error(
                    "s3_bucket",
                    _("A bucket name is 3 to 63 lowercase letters, digits, dots and hyphens."),
                )
            region = data.get("s3_region", "")
            if region and not REGION.match(region):
                self.add_error("s3_region", _("Enter a region such as eu-central-1."))
            has_id = bool(data.get("s3_access_key_id"))
            if has_id != self._secret_after(data, "s3_secret_access_key"):
                self.add_error(
                    "s3_secret_access_key",
                    _("Give both the access key ID and its secret key, or neither."),
                )
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data.get(name) for name in self.PLAIN}
        values["smtp_security"] = values["smtp_security"] or SmtpSecurity.STARTTLS
        values["storage_backend"] = values["storage_backend"] or ""
        return {name: ("" if value is None and name != "smtp_port" else value)
                for name, value in values.items()}  # fmt: skip

    def secrets(self) -> dict[str, str]:
        """Secrets to replace: a typed value, or "" to remove; untouched ones are kept."""
        data = self.cleaned_data
        changed: dict[str, str] = {}
        for name in self.SECRETS:
            if data.get(name):
                changed[name] = data[name]
            elif data.get(f"{name}_remove"):
                changed[name] = ""
        return changed


class TestEmailForm(forms.Form):
    to = forms.EmailField(label=gettext_lazy("Send a test email to"))


class TestSmsForm(forms.Form):
    to = forms.CharField(label=gettext_lazy("Send a test SMS to"), max_length=40)

    def clean_to(self) -> str:
        phone = self.cleaned_data["to"].strip()
        digits = "".join(ch for ch in phone if ch.isdigit())
        if not 7 <= len(digits) <= 15 or any(ch not in "+0123456789 -()" for ch in phone):
            raise ValidationError(_("Enter a mobile number, e.g. +98 912 345 6789."))
        return phone


def _in_use() -> dict[str, str]:
    """What each gateway uses right now, for the page."""
    below, environment = _("the settings below"), _("the environment")
    sms = sms_platform_route()
    if sms.source == "database":
        sms_source = below
    elif sms.backend == "kavenegar":
        sms_source = f"{environment} (KAVENEGAR_API_KEY)"
    else:
        sms_source = f"{environment} ({_('console: SMS are only logged')})"
    return {
        "mail": below if mail_gateway() else f"{environment} (EMAIL_URL)",
        "sms": sms_source,
    }


def gateways_page(
    request: HttpRequest,
    form: GatewayForm,
    *,
    test_email: TestEmailForm | None = None,
    test_sms: TestSmsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "ops/gateways.html",
        {
            "form": form,
            "test_email": test_email or TestEmailForm(),
            "test_sms": test_sms or TestSmsForm(),
            "in_use": _in_use(),
        },
        status=status,
    )


class GatewaysView(OperatorView, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return gateways_page(request, GatewayForm(current=gateway_settings_current()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = GatewayForm(request.POST, current=gateway_settings_current())
        if not form.is_valid():
            return gateways_page(request, form, status=400)
        with transaction.atomic():
            changes = gateway_settings_update(
                actor=request.user, values=form.values(), secrets=form.secrets()
            )
            if changes:
                audit_record(
                    actor=request.user, action="gateways.updated", target="gateways",
                    changes=changes,
                )  # fmt: skip
        messages.success(
            request, _("Gateway settings saved.") if changes else _("Nothing changed.")
        )
        return HttpResponseRedirect("/ops/gateways/")


def _send_test_email(to: str) -> None:
    gateway = mail_gateway()
    connection = (
        smtp_backend_for(gateway, timeout=TEST_TIMEOUT) if gateway else GatewayEmailBackend()
    )
    EmailMessage(
        subject=_("Caseway test email"),
        body=_("This test email was sent from the operator console. Mail delivery works."),
        from_email=mail_from_address(),
        to=[to],
        connection=connection,
    ).send(fail_silently=False)


def _send_test_sms(to: str) -> str:
    route = sms_platform_route()
    gateway = sms_gateway_for(route)
    text = _("Caseway test SMS: the SMS gateway works.")
    # The Kavenegar SDK sets no network timeout: wait a bounded time for its answer.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        future = pool.submit(gateway.send, to=to, text=text, sender=route.sender)
        return future.result(timeout=TEST_TIMEOUT).provider_message_id
    except concurrent.futures.TimeoutError as error:
        raise SmsError(_("No answer from the gateway within %(seconds)s seconds.")
                       % {"seconds": TEST_TIMEOUT}) from error  # fmt: skip
    finally:
        pool.shutdown(wait=False)


class GatewayTestView(OperatorView, View):
    """POST ``/ops/gateways/test-email/`` or ``/ops/gateways/test-sms/``."""

    def get(self, request: HttpRequest, channel: str) -> HttpResponse:
        return HttpResponseRedirect("/ops/gateways/")

    def post(self, request: HttpRequest, channel: str) -> HttpResponse:
        current = gateway_settings_current()
        if channel == "test-email":
            email_form = TestEmailForm(request.POST)
            if not email_form.is_valid():
                return gateways_page(
                    request, GatewayForm(current=current), test_email=email_form, status=400
                )
            to = email_form.cleaned_data["to"]
            try:
                _send_test_email(to)
            except (OSError, smtplib.SMTPException) as error:
                return self._result(request, "gateways.test_email", to, str(error) or repr(error))
            return self._result(request, "gateways.test_email", to, "")
        if channel == "test-sms":
            sms_form = TestSmsForm(request.POST)
            if not sms_form.is_valid():
                return gateways_page(
                    request, GatewayForm(current=current), test_sms=sms_form, status=400
                )
            to = sms_form.cleaned_data["to"]
            try:
                _send_test_sms(to)
            except SmsError as error:
                return self._result(request, "gateways.test_sms", to, str(error))
            return self._result(request, "gateways.test_sms", to, "")
        return HttpResponseRedirect("/ops/gateways/")

    def _result(self, request: HttpRequest, action: str, to: str, error: str) -> HttpResponse:
        audit_record(
            actor=request.user, action=action, target=to,
            changes={"result": ("", f"failed: {error}"[:500] if error else "sent")},
        )  # fmt: skip
        if error:
            messages.error(request, _("The test failed: %(error)s") % {"error": error[:300]})
        else:
            messages.success(request, _("Sent to %(to)s.") % {"to": to})
        return HttpResponseRedirect("/ops/gateways/")
